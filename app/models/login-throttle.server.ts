import { prisma, readOnlyQuery, sqliteDate } from "~/utils/db.server";

// At most 10 failed logins per username and per client address in 15 minutes.
export const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60 * 1000;

function throttleKeys(username: string, address: string) {
  return [`user:${username.toLowerCase()}`, `address:${address}`];
}

const windowsQuery = readOnlyQuery<[string, string], { key: string; failures: number; windowStart: string }>(
  `SELECT "key", "failures", "windowStart" FROM "LoginThrottle" WHERE "key" IN (?, ?)`,
);

// Attempts whose password is being checked right now, per key. They count against the
// limit: otherwise 40 guesses sent at once all pass the check while the count is 9, and
// more than 10 get checked (this process is the only server on the database). Attempts
// beyond the limit's remainder wait for those in flight to end instead of being refused,
// so many people logging in at once from one address (an office) are only slowed down.
const inFlight = new Map<string, number>();
const waiting = new Set<() => void>();
const MAX_WAIT_MS = 5_000;

export type LoginAttempt =
  | { allowed: false; reason: "failures" | "busy"; retryAfterSeconds: number }
  | { allowed: true; failed: () => Promise<void>; succeeded: () => Promise<void>; abandoned: () => Promise<void> };

/**
 * Asks to check a password for this username from this address. When allowed, the
 * attempt counts as in flight until `failed` (counted in the database), `succeeded` (the
 * username's count starts over) or `abandoned` (the check itself failed) has finished.
 */
export async function beginLoginAttempt(username: string, address: string): Promise<LoginAttempt> {
  const keys = throttleKeys(username, address);
  const deadline = Date.now() + MAX_WAIT_MS;
  for (;;) {
    // Read and reserve without an await in between, so no other attempt can come between.
    const verdict = check(keys);
    if (verdict === "allowed") return reserve(keys);
    if (verdict !== "busy") return { allowed: false, reason: "failures", retryAfterSeconds: verdict };
    if (Date.now() >= deadline) {
      console.warn(`[quill] a login for ${keys[0]} from ${keys[1]} waited ${MAX_WAIT_MS} ms for the attempts in flight`);
      return { allowed: false, reason: "busy", retryAfterSeconds: 1 };
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(wake, deadline - Date.now());
      function wake() {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve();
      }
      waiting.add(wake);
    });
  }
}

/** "allowed", "busy" (attempts in flight fill the rest of the limit), or seconds until the full window runs out. */
function check(keys: string[]): "allowed" | "busy" | number {
  const now = Date.now();
  const stored = new Map(windowsQuery().all(keys[0], keys[1]).map((row) => [row.key, row]));
  let busy = false;
  let waitMs = 0;
  for (const key of keys) {
    const row = stored.get(key);
    const windowEnd = row ? sqliteDate(row.windowStart).getTime() + WINDOW_MS : 0;
    const failures = windowEnd > now ? (row?.failures ?? 0) : 0;
    if (failures >= MAX_FAILURES) waitMs = Math.max(waitMs, windowEnd - now);
    else if (failures + (inFlight.get(key) ?? 0) >= MAX_FAILURES) busy = true;
  }
  return waitMs > 0 ? Math.ceil(waitMs / 1000) : busy ? "busy" : "allowed";
}

function reserve(keys: string[]): LoginAttempt {
  const startedAt = new Date();
  for (const key of keys) inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
  let ended = false;
  const end = async (work: () => Promise<void>) => {
    if (ended) return;
    ended = true;
    try {
      await work();
    } finally {
      // Only once the outcome is in the database, which the next check reads.
      for (const key of keys) {
        const count = (inFlight.get(key) ?? 1) - 1;
        if (count > 0) inFlight.set(key, count);
        else inFlight.delete(key);
      }
      for (const wake of [...waiting]) wake();
    }
  };
  return {
    allowed: true,
    failed: () => end(() => recordLoginFailure(keys, startedAt)),
    succeeded: () => end(() => clearLoginFailures(keys[0])),
    abandoned: () => end(async () => {}),
  };
}

/** Counts a failed login against both the username and the address. */
async function recordLoginFailure(keys: string[], now: Date) {
  const windowOpenedAfter = new Date(now.getTime() - WINDOW_MS);
  for (const key of keys) {
    // A window that has run out starts over; otherwise one more failure in it.
    const { count } = await prisma.loginThrottle.updateMany({
      where: { key, windowStart: { gt: windowOpenedAfter } },
      data: { failures: { increment: 1 } },
    });
    if (count === 0) {
      await prisma.loginThrottle.upsert({
        where: { key },
        create: { key, failures: 1, windowStart: now },
        update: { failures: 1, windowStart: now },
      });
    }
  }
}

/** A successful login clears the username's count (the address keeps its own). */
async function clearLoginFailures(userKey: string) {
  await prisma.loginThrottle.deleteMany({ where: { key: userKey } });
}
