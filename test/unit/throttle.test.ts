import { describe, expect, it } from "vitest";
import { beginAttempt, LIMITS, loginClearedKeys, loginThrottleKeys, rememberLoginAddress, throttleKey } from "~/models/throttle.server";

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

/** One failed login, as app/routes/login.tsx counts it: "checked" or why it was refused. */
async function failedLogin(username: string, address: string) {
  const attempt = await beginAttempt("login", await loginThrottleKeys(username, address));
  if (!attempt.allowed) return { outcome: attempt.reason, retryAfterSeconds: attempt.retryAfterSeconds };
  await attempt.counted();
  return { outcome: "checked" as const, retryAfterSeconds: 0 };
}

/** A successful login: true when the throttle let it be checked. */
async function successfulLogin(username: string, address: string) {
  const attempt = await beginAttempt("login", await loginThrottleKeys(username, address));
  if (!attempt.allowed) return false;
  await attempt.cleared(loginClearedKeys(username, address));
  await rememberLoginAddress(username, address);
  return true;
}

const addressNumber = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

describe("login lockout that a stranger cannot use against the owner", () => {
  it("lets the owner in from their own address while a stranger's guesses have the account at its ceiling", async () => {
    const owner = "Besieged";
    expect(await successfulLogin(owner, "192.0.2.10")).toBe(true);
    // A stranger on 40 addresses: 10 guesses from each, until the account's ceiling (100) is reached.
    const outcomes = [];
    for (let n = 0; n < 400; n++) outcomes.push((await failedLogin(owner, addressNumber(1000 + Math.floor(n / 10)))).outcome);
    expect(outcomes.filter((outcome) => outcome === "checked")).toHaveLength(LIMITS.loginAccount.max);
    // Owner, from the address they logged in from before (any case of the name, as the login takes it).
    expect(await successfulLogin("besieged", "192.0.2.10")).toBe(true);
    // From an address never used for this account, the ceiling holds: that is what stops a botnet.
    const fromElsewhere = await failedLogin(owner, "203.0.113.50");
    expect(fromElsewhere.outcome).toBe("limit");
    expect(fromElsewhere.retryAfterSeconds).toBeGreaterThan(50 * 60);
  }, 120_000);

  it("limits one address to 10 tries per account, and to 10 failures in all, without touching the owner", { timeout: 60_000 }, async () => {
    const owner = "Neighbour";
    expect(await successfulLogin(owner, "192.0.2.20")).toBe(true);
    const stranger = "198.51.100.20";
    const outcomes = [];
    for (let n = 0; n < 12; n++) outcomes.push((await failedLogin(owner, stranger)).outcome);
    expect(outcomes.filter((outcome) => outcome === "checked")).toHaveLength(10);
    expect(outcomes.slice(10)).toEqual(["limit", "limit"]);
    // The stranger's address is spent for other accounts too.
    expect((await failedLogin("SomeoneElse", stranger)).outcome).toBe("limit");
    expect(await successfulLogin(owner, "192.0.2.20")).toBe(true);
    // The owner's own typos count against their pair and their address (which keeps its count, as before).
    for (let n = 0; n < 9; n++) expect((await failedLogin(owner, "192.0.2.20")).outcome).toBe("checked");
    expect(await successfulLogin(owner, "192.0.2.20")).toBe(true);
    expect((await failedLogin(owner, "192.0.2.20")).outcome).toBe("checked");
    expect((await failedLogin(owner, "192.0.2.20")).outcome).toBe("limit");
  });

  it("lets 10,000 guesses from 10,000 addresses check only 100 passwords an hour", async () => {
    const target = "Popular";
    const started = performance.now();
    let checked = 0;
    let shortestRetry = Infinity;
    // 50 at a time, as a botnet would send them.
    for (let batch = 0; batch < 200; batch++) {
      const results = await Promise.all(Array.from({ length: 50 }, (_, n) => failedLogin(target, addressNumber(100_000 + batch * 50 + n))));
      for (const result of results) {
        if (result.outcome === "checked") checked += 1;
        else shortestRetry = Math.min(shortestRetry, result.retryAfterSeconds);
      }
    }
    expect(checked).toBe(LIMITS.loginAccount.max);
    // Each refused guess was told to come back when the hour is over: 10,000 take 100 hours.
    const elapsedSeconds = Math.ceil((performance.now() - started) / 1000);
    expect(shortestRetry).toBeGreaterThanOrEqual(60 * 60 - elapsedSeconds - 1);
    console.log(`[throttle] 10,000 guesses on one account from 10,000 addresses: ${checked} checked, in ${Math.round(performance.now() - started)} ms`);
  }, 300_000);

  it("without a known client address, limits the account alone, as before", async () => {
    const keys = await loginThrottleKeys("Unplaced", undefined);
    expect(keys).toEqual([throttleKey("login", "user", "unplaced")]);
  });
});
