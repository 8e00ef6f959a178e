import { expect, it } from "vitest";
import { echoValues } from "./form-state";

it("echoes what the user typed, but never a secret", () => {
  expect(echoValues({ name: "Ana", email: "a@b.c", password: "p", clientSecret: "s", apiKey: "k", file: new Blob() })).toEqual({
    name: "Ana",
    email: "a@b.c",
  });
});
