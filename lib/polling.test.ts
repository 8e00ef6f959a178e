import { describe, expect, it } from "vitest";
import { pollDelay } from "./polling";

describe("pollDelay", () => {
  it("asks the local cloud often at first, then less", () => {
    expect([0, 2_999, 3_000, 14_999, 15_000, 600_000].map((t) => pollDelay("local", t))).toEqual([100, 100, 300, 300, 1_000, 1_000]);
  });

  it("asks AWS at most every second, backing off to five seconds for long runs", () => {
    expect([0, 9_999, 10_000, 59_999, 60_000, 3_600_000].map((t) => pollDelay("aws", t))).toEqual([1_000, 1_000, 2_000, 2_000, 5_000, 5_000]);
  });

  it("doubles the wait after each failed answer, up to a minute", () => {
    expect([1, 2, 3, 6, 20].map((f) => pollDelay("aws", 0, f))).toEqual([2_000, 4_000, 8_000, 60_000, 60_000]);
    expect(pollDelay("local", 0, 1)).toBe(2_000);
  });
});
