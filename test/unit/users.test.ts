import { describe, expect, it } from "vitest";
import { changePassword, createUser, endAllSessions, passwordHashing, verifyLogin } from "~/models/user.server";
import { SignupSchema } from "~/utils/account-schemas";
import { reader } from "~/utils/db.server";

describe("accounts", () => {
  it("stores an argon2id hash, never the password", async () => {
    const user = await createUser({ username: "Alice", password: "correct horse" });
    expect(user).not.toBe("taken");
    const row = await reader().user.findUniqueOrThrow({ where: { usernameKey: "alice" } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.passwordHash).not.toContain("correct horse");
    expect(row.username).toBe("Alice");
  });

  it("treats usernames case-insensitively", async () => {
    await createUser({ username: "Carol", password: "correct horse" });
    expect(await createUser({ username: "cAROL", password: "another password" })).toBe("taken");
    expect(await verifyLogin({ username: "carol", password: "correct horse" })).toMatchObject({ username: "Carol" });
  });

  it("answers null for a wrong password and for an unknown user alike", async () => {
    await createUser({ username: "dave", password: "correct horse" });
    expect(await verifyLogin({ username: "dave", password: "wrong horse" })).toBeNull();
    expect(await verifyLogin({ username: "nobody", password: "correct horse" })).toBeNull();
  });

  it("validates usernames and passwords", () => {
    const signup = (username: string, password: string, confirmPassword = password) => SignupSchema.safeParse({ username, password, confirmPassword });
    expect(signup("ok_name-1", "12345678").success).toBe(true);
    for (const username of ["ab", "a".repeat(33), "has space", "émile", "semi;colon", ""]) {
      expect(signup(username, "12345678").success, username).toBe(false);
    }
    const short = signup("valid", "1234567");
    expect(short.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([["password", "A password needs at least 8 characters."]]);
    const mismatch = signup("valid", "12345678", "12345679");
    expect(mismatch.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([["confirmPassword", "The two passwords are not the same."]]);
  });

  it("ends every session by bumping the session version", async () => {
    const user = await createUser({ username: "erin", password: "correct horse" });
    if (user === "taken") throw new Error("unexpected");
    const after = await endAllSessions(user.id);
    expect(after.sessionVersion).toBe(user.sessionVersion + 1);
  });

  it("changes the password only with the current one, and ends other sessions", async () => {
    const user = await createUser({ username: "frank", password: "correct horse" });
    if (user === "taken") throw new Error("unexpected");
    expect(await changePassword(user, "wrong horse", "new password!")).toBeNull();
    const updated = await changePassword(user, "correct horse", "new password!");
    expect(updated?.sessionVersion).toBe(user.sessionVersion + 1);
    expect(await verifyLogin({ username: "frank", password: "correct horse" })).toBeNull();
    expect(await verifyLogin({ username: "frank", password: "new password!" })).not.toBeNull();
  });
});

describe("password hashing", () => {
  it("hashes one password at a time per process, in the order asked, past a failure", async () => {
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const job = (n: number, fail = false) =>
      passwordHashing(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(n);
        running--;
        if (fail) throw new Error(`job ${n}`);
        return n;
      });
    const outcomes = await Promise.allSettled([job(1), job(2, true), job(3), job(4)]);
    expect(most).toBe(1);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
  });

  it("logs in as many people at once as asked, each with the right answer", async () => {
    await createUser({ username: "crowd", password: "crowd password" });
    const tries = await Promise.all(
      Array.from({ length: 6 }, (_, n) => verifyLogin({ username: "crowd", password: n % 2 ? "crowd password" : "wrong password" })),
    );
    expect(tries.map((user) => user?.username ?? null)).toEqual([null, "crowd", null, "crowd", null, "crowd"]);
  });
});
