import { describe, expect, it } from "vitest";
import { beginAttempt, throttleKey } from "~/models/throttle.server";

// Login attempts sent at once, as one process handles them (on PostgreSQL, over a pool of
// connections, so their transactions really do overlap).
describe("the throttle under concurrent attempts", () => {
  it("lets exactly 10 of 40 failing attempts on one account and address be checked, and none fails", async () => {
    const keys = [throttleKey("login", "user", "crowded"), throttleKey("login", "address", "192.0.2.7")];
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const attempt = await beginAttempt("login", keys);
        if (!attempt.allowed) return attempt.reason;
        await new Promise((resolve) => setTimeout(resolve, 5)); // the password check
        await attempt.counted();
        return "checked";
      }),
    );
    const count = (outcome: string) => outcomes.filter((each) => each === outcome).length;
    expect([count("checked"), count("limit")]).toEqual([10, 30]);
  });

  it("takes failures, successes and give-ups ending in any order without failing", async () => {
    // Each attempt holds an account key of its own and the shared address key, and ends
    // one of three ways: the UPDATEs of ending and of reserving overlap on both rows.
    const address = throttleKey("login", "address", "198.51.100.3");
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, async (_, n) => {
        const user = throttleKey("login", "user", `person${n % 3}`);
        const attempt = await beginAttempt("login", [user, address]);
        if (!attempt.allowed) return attempt.reason;
        if (n % 3 === 0) await attempt.counted();
        else if (n % 3 === 1) await attempt.cleared([user]);
        else await attempt.abandoned();
        return "ended";
      }),
    );
    expect(outcomes.every((outcome) => outcome === "ended" || outcome === "limit")).toBe(true);
  });
});
