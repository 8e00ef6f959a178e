import { randomBytes } from "node:crypto";

// Exact samplers of discrete Laplace and discrete Gaussian noise, after Canonne, Kamath and
// Steinke, "The Discrete Gaussian for Differential Privacy" (2020), Algorithms 1 to 3. Every
// step is integer arithmetic on rationals (BigInt) with uniform integers drawn from
// node:crypto, so no floating-point rounding can shape the distribution, which is how
// floating-point Laplace samplers leak (Mironov, 2012). Parameters are exact rationals.

/** An exact non-negative rational number num/den (den > 0). */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** The rational a decimal number's text means exactly ("1.25" is 5/4), for parameters given as numbers. */
export function rational(value: number | string): Rational {
  const text = typeof value === "number" ? value.toString() : value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a non-negative decimal number: ${text}`);
  const decimals = match[2] ?? "";
  return reduce({ num: BigInt(match[1]! + decimals), den: 10n ** BigInt(decimals.length) });
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

function reduce(r: Rational): Rational {
  const g = gcd(r.num, r.den) || 1n;
  return { num: r.num / g, den: r.den / g };
}

/**
 * Uniform random integers from node:crypto, read from a pool of random bytes so that each
 * draw does not cost a call into the system's generator.
 */
export class RandomSource {
  private pool = Buffer.alloc(0);
  private offset = 0;

  private bytes(n: number): Buffer {
    if (this.offset + n > this.pool.length) {
      this.pool = randomBytes(Math.max(65_536, n));
      this.offset = 0;
    }
    const out = this.pool.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** A uniform integer in [0, bound), by rejection: no modulo bias. */
  below(bound: bigint): bigint {
    if (bound <= 0n) throw new Error("the bound must be positive");
    if (bound === 1n) return 0n;
    const bits = (bound - 1n).toString(2).length;
    const size = Math.ceil(bits / 8);
    const mask = (1n << BigInt(bits)) - 1n;
    for (;;) {
      let value = 0n;
      for (const byte of this.bytes(size)) value = (value << 8n) | BigInt(byte);
      value &= mask;
      if (value < bound) return value;
    }
  }
}

const defaultSource = new RandomSource();

/** Bernoulli(num/den), for 0 ≤ num/den ≤ 1. */
export function bernoulli(p: Rational, random = defaultSource): boolean {
  return random.below(p.den) < p.num;
}

/** Bernoulli(exp(−γ)) for a rational γ ≥ 0 (CKS Algorithm 1). */
export function bernoulliExp(gamma: Rational, random = defaultSource): boolean {
  if (gamma.num <= gamma.den) {
    // exp(−γ) = Σ (−γ)^k / k!: the first k with A_k = 0 is odd with exactly that probability.
    let k = 1n;
    while (bernoulli({ num: gamma.num, den: gamma.den * k }, random)) k++;
    return k % 2n === 1n;
  }
  for (let i = 0n; i < gamma.num / gamma.den; i++) {
    if (!bernoulliExp({ num: 1n, den: 1n }, random)) return false;
  }
  return bernoulliExp({ num: gamma.num % gamma.den, den: gamma.den }, random);
}

/**
 * Discrete Laplace noise with the given scale b (P[x] ∝ exp(−|x|/b) on the integers), for a
 * rational b = t/s > 0 (CKS Algorithm 2).
 */
export function discreteLaplace(scale: Rational, random = defaultSource): bigint {
  const { num: t, den: s } = reduce(scale);
  if (t <= 0n) throw new Error("the scale must be positive");
  for (;;) {
    const u = random.below(t);
    if (!bernoulliExp({ num: u, den: t }, random)) continue;
    let v = 0n;
    while (bernoulliExp({ num: 1n, den: 1n }, random)) v++;
    const y = (u + t * v) / s;
    const negative = bernoulli({ num: 1n, den: 2n }, random);
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

/**
 * Discrete Gaussian noise with variance parameter σ² (P[x] ∝ exp(−x²/2σ²) on the integers), for
 * a rational σ² > 0 (CKS Algorithm 3): discrete Laplace proposals, accepted with an exact
 * Bernoulli(exp(−(|y| − σ²/t)²/2σ²)).
 */
export function discreteGaussian(sigma2: Rational, random = defaultSource): bigint {
  const { num: p, den: q } = reduce(sigma2);
  if (p <= 0n) throw new Error("the variance must be positive");
  // t = ⌊σ⌋ + 1, with ⌊σ⌋ the integer square root of ⌊σ²⌋ (exact: no floating point).
  const t = isqrt(p / q) + 1n;
  for (;;) {
    const y = discreteLaplace({ num: t, den: 1n }, random);
    const abs = y < 0n ? -y : y;
    // (|y| − σ²/t)² / (2σ²) = (|y|·t·q − p)² / (t²q²) · q / (2p) = (|y|tq − p)² / (2 p t² q)
    const diff = abs * t * q - p;
    if (bernoulliExp(reduce({ num: diff * diff, den: 2n * p * t * t * q }), random)) return y;
  }
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}
