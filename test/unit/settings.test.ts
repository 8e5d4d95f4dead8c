import { expect, it } from "vitest";
import { ConfigError, parseEnv } from "~/utils/env.server";

// Limits set in the environment (SIGNUP_LIMIT_PER_HOUR, DATABASE_POOL_SIZE,
// QUILL_BODY_BUDGET_BYTES), read through the one schema of every setting.
const NAME = "SIGNUP_LIMIT_PER_HOUR";

it("takes a whole number, or the default when unset or empty", () => {
  expect(parseEnv({})[NAME]).toBe(20);
  expect(parseEnv({ [NAME]: "" })[NAME]).toBe(20);
  expect(parseEnv({ [NAME]: " 5 " })[NAME]).toBe(5);
  expect(parseEnv({ QUILL_BODY_BUDGET_BYTES: "1024" }).QUILL_BODY_BUDGET_BYTES).toBe(1024);
});

it("refuses what would quietly turn a limit off, naming the variable", () => {
  for (const bad of ["20/h", "abc", "0", "-3", "1.5", "1e3", "Infinity", "9".repeat(20)]) {
    expect(() => parseEnv({ [NAME]: bad }), bad).toThrow(`${NAME} must be a whole number of at least 1, not ${JSON.stringify(bad)}.`);
    expect(() => parseEnv({ DATABASE_POOL_SIZE: bad }), bad).toThrow(ConfigError);
  }
});
