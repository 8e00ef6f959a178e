import { expect, it } from "vitest";
import { safeCallbackUrl } from "./callback-url";

it("keeps same-site paths and drops everything else", () => {
  expect(safeCallbackUrl("/members?tab=1")).toBe("/members?tab=1");
  for (const bad of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", null, 42]) {
    expect(safeCallbackUrl(bad)).toBe("/");
  }
});
