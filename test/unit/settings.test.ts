import { afterEach, expect, it } from "vitest";
import { wholeNumberSetting } from "~/utils/settings.server";

// Limits set in the environment (SIGNUP_LIMIT_PER_HOUR, QUILL_BODY_BUDGET_BYTES).
const NAME = "QUILL_TEST_SETTING";
afterEach(() => {
  delete process.env[NAME];
});

it("takes a whole number, or the default when unset or empty", () => {
  expect(wholeNumberSetting(NAME, 20)).toBe(20);
  process.env[NAME] = "";
  expect(wholeNumberSetting(NAME, 20)).toBe(20);
  process.env[NAME] = " 5 ";
  expect(wholeNumberSetting(NAME, 20)).toBe(5);
});

it("refuses what would quietly turn a limit off, naming the variable", () => {
  for (const bad of ["20/h", "abc", "0", "-3", "1.5", "1e3", "Infinity", "9".repeat(20)]) {
    process.env[NAME] = bad;
    expect(() => wholeNumberSetting(NAME, 20), bad).toThrow(`${NAME} must be a whole number of at least 1`);
  }
});
