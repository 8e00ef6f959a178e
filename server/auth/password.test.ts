import { expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password";

it("hashes with a fresh salt and verifies only the right password", async () => {
  const [a, b] = [await hashPassword("correct horse"), await hashPassword("correct horse")];
  expect(a).not.toBe(b);
  expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
  expect(a).not.toContain("correct horse");
  expect(await verifyPassword("correct horse", a)).toBe(true);
  expect(await verifyPassword("correct horse!", a)).toBe(false);
  expect(await verifyPassword("correct horse", null)).toBe(false);
  expect(await verifyPassword("correct horse", "garbage")).toBe(false);
});
