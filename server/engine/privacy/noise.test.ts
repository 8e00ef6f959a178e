import { describe, expect, it } from "vitest";
import { bernoulliExp, discreteGaussian, discreteLaplace, RandomSource, rational, type Rational } from "./noise";

// The samplers against their declared distributions. Thresholds come from inequalities, not
// from trial and error, so that a correct sampler fails with probability below 1e-6:
// - the Dvoretzky–Kiefer–Wolfowitz inequality, P(sup |F̂ − F| > ε) ≤ 2·exp(−2Nε²), bounds the
//   largest gap between the empirical and the true CDF;
// - Hoeffding's inequality bounds a Bernoulli frequency the same way.
const FAILURE = 1e-6;
const dkwEpsilon = (n: number) => Math.sqrt(Math.log(2 / FAILURE) / (2 * n));

/** The largest gap between the samples' CDF and `pmf`'s, over the integers from −span to span. */
function cdfGap(samples: bigint[], pmf: (x: number) => number, span: number): number {
  const counts = new Map<number, number>();
  for (const s of samples) counts.set(Number(s), (counts.get(Number(s)) ?? 0) + 1);
  let below = samples.filter((s) => Number(s) < -span).length / samples.length;
  let truth = 0;
  for (let x = -10 * span; x < -span; x++) truth += pmf(x);
  let gap = Math.abs(below - truth);
  for (let x = -span; x <= span; x++) {
    below += (counts.get(x) ?? 0) / samples.length;
    truth += pmf(x);
    gap = Math.max(gap, Math.abs(below - truth));
  }
  return gap;
}

const draw = (n: number, sample: () => bigint) => Array.from({ length: n }, sample);
const value = (r: Rational) => Number(r.num) / Number(r.den);

describe("exact noise", () => {
  const random = new RandomSource();

  it("reads decimal parameters as exact fractions", () => {
    expect(rational(1.25)).toEqual({ num: 5n, den: 4n });
    expect(rational("0.1")).toEqual({ num: 1n, den: 10n });
    expect(() => rational(-1)).toThrow();
  });

  it.each([rational("0.3"), rational("1"), rational("2.7")])("draws Bernoulli(exp(−γ)) with the right frequency (γ = %o)", (gamma) => {
    const n = 100_000;
    let ones = 0;
    for (let i = 0; i < n; i++) if (bernoulliExp(gamma, random)) ones++;
    expect(Math.abs(ones / n - Math.exp(-value(gamma)))).toBeLessThan(Math.sqrt(Math.log(2 / FAILURE) / (2 * n)));
  });

  it.each([rational("0.5"), rational("2"), rational("7.5")])("draws discrete Laplace noise of scale %o", (scale) => {
    const b = value(scale);
    const n = 100_000;
    const samples = draw(n, () => discreteLaplace(scale, random));
    const pmf = (x: number) => ((1 - Math.exp(-1 / b)) / (1 + Math.exp(-1 / b))) * Math.exp(-Math.abs(x) / b);
    expect(cdfGap(samples, pmf, Math.ceil(20 * b) + 5)).toBeLessThan(dkwEpsilon(n));
    // Symmetric about zero: the mean is within Hoeffding-like reach (Laplace tails are light enough).
    expect(Math.abs(samples.reduce((a, s) => a + Number(s), 0) / n)).toBeLessThan(20 * b * Math.sqrt(Math.log(2 / FAILURE) / (2 * n)));
  });

  it.each([rational("0.8"), rational("4"), rational("30.25")])("draws discrete Gaussian noise of variance parameter %o", (sigma2) => {
    const s2 = value(sigma2);
    const span = Math.ceil(12 * Math.sqrt(s2)) + 5;
    let normalizer = 0;
    for (let x = -10 * span; x <= 10 * span; x++) normalizer += Math.exp(-(x * x) / (2 * s2));
    const pmf = (x: number) => Math.exp(-(x * x) / (2 * s2)) / normalizer;
    const n = 100_000;
    const samples = draw(n, () => discreteGaussian(sigma2, random));
    expect(cdfGap(samples, pmf, span)).toBeLessThan(dkwEpsilon(n));
  });

  it("stays exact where floating point would not: a scale of 10^30, and a fractional one", () => {
    // A double cannot hold most integers near 10^30; the sampler works in BigInt throughout.
    const big = draw(50, () => discreteLaplace({ num: 10n ** 30n, den: 1n }, random));
    expect(big.every((x) => (x < 0n ? -x : x) < 10n ** 33n)).toBe(true);
    expect(big.some((x) => x % 10n ** 15n !== 0n)).toBe(true);
    expect(draw(20, () => discreteGaussian({ num: 1n, den: 3n }, random)).every((x) => typeof x === "bigint")).toBe(true);
  });
});
