import { describe, expect, it } from "vitest";
import { formatDuration } from "./format";

describe("formatDuration", () => {
  const start = new Date("2026-01-01T00:00:00Z");
  const after = (ms: number) => new Date(start.getTime() + ms);
  it("says seconds with a tenth under a minute, minutes and seconds above, and a dash while running", () => {
    expect(formatDuration(start, after(420))).toBe("0.4 s");
    expect(formatDuration(start, after(125_000))).toBe("2 min 5 s");
    expect(formatDuration(start, null)).toBe("—");
  });
});
