import crypto from "node:crypto";
import { Prisma, reader, write } from "~/utils/db.server";
import { env } from "~/utils/env.server";

/**
 * Limits on guessing and on bulk actions, per key (an account, a client address), kept in
 * the Throttle table so that every process and machine on the database shares them (with
 * the addresses each account logged in from lately, rows keyed "known:").
 *
 * - login: 10 failed logins per (username, address) and per address in 15 minutes, and
 *   100 an hour per username from addresses that have not logged in to it in the last 30
 *   days (loginAccount): a stranger's guesses cannot lock the owner out of their own
 *   account, and 10,000 guesses from as many addresses take 100 hours, not minutes
 *   (docs/decisions/006-security.md). With no address known, 10 per username as before;
 * - password: 10 wrong "current password"s per account and per address in 15 minutes;
 * - signup: 20 accounts per address an hour (`SIGNUP_LIMIT_PER_HOUR`).
 *
 * Checks under way count against the limit: an attempt reserves a place with one
 * conditional UPDATE (atomic on SQLite and on PostgreSQL alike; raw SQL, the same on both,
 * since Prisma's `update` cannot make its values conditional on the row), so 40 guesses sent at once,
 * to any number of processes, get exactly 10 checked. Attempts beyond what is left of the
 * limit wait (at most 5 s) for those in flight to end, so many people at one address (an
 * office) are slowed a little, not refused.
 */
export const LIMITS = {
  login: { max: 10, windowMs: 15 * 60 * 1000 },
  loginAccount: { max: 100, windowMs: 60 * 60 * 1000 },
  password: { max: 10, windowMs: 15 * 60 * 1000 },
  // A class or an office may sign up together; a script making accounts may not.
  signup: { max: env().SIGNUP_LIMIT_PER_HOUR, windowMs: 60 * 60 * 1000 },
} as const;
export type ThrottledAction = keyof typeof LIMITS;

// A reservation lapses after this, should the process checking it die before it ends.
const RESERVATION_MS = 30_000;
const MAX_WAIT_MS = 5_000;
const POLL_MS = 25;
const LONGEST_WINDOW_MS = Math.max(...Object.values(LIMITS).map((limit) => limit.windowMs));
// How long an address stays known for an account after a login from it succeeded.
const KNOWN_ADDRESS_MS = 30 * 24 * 60 * 60 * 1000;
const KNOWN_PREFIX = "known:";

/** A key's own limit: the action it was made for starts it (`login:address:...`). */
function limitOf(key: string) {
  return LIMITS[key.slice(0, key.indexOf(":")) as ThrottledAction];
}

/**
 * The stored key for a value (a username, an address): hashed, so that rows stay small
 * whatever a client sends, and the table holds no usernames.
 */
export function throttleKey(action: ThrottledAction, kind: "user" | "address" | "user-address", value: string) {
  return `${action}:${kind}:${digestOf(kind === "address" ? value : value.toLowerCase())}`;
}

function digestOf(value: string) {
  return crypto.createHash("sha256").update(value).digest("base64url").slice(0, 22);
}

// ---- logins --------------------------------------------------------------------------

const userAndAddress = (username: string, address: string) => `${username.toLowerCase()}\n${address}`;

/**
 * The keys a login attempt counts against. The per-account ceiling is skipped for an
 * address the account logged in from lately: whatever strangers do from theirs, the owner
 * keeps the 10 tries of their own (account, address) pair.
 */
export async function loginThrottleKeys(username: string, address: string | undefined): Promise<string[]> {
  if (!address) return [throttleKey("login", "user", username)];
  const keys = [throttleKey("login", "user-address", userAndAddress(username, address)), throttleKey("login", "address", address)];
  const known = await reader().throttle.findFirst({
    where: { key: KNOWN_PREFIX + digestOf(userAndAddress(username, address)), windowStart: { gt: new Date(Date.now() - KNOWN_ADDRESS_MS) } },
    select: { key: true },
  });
  return known ? keys : [...keys, throttleKey("loginAccount", "user", username)];
}

/** After a successful login: the keys whose count starts over (never the address's, nor the account's ceiling). */
export function loginClearedKeys(username: string, address: string | undefined): string[] {
  return [address ? throttleKey("login", "user-address", userAndAddress(username, address)) : throttleKey("login", "user", username)];
}

/** Remembers that `username` logged in from `address` (for 30 days from now). */
export async function rememberLoginAddress(username: string, address: string | undefined): Promise<void> {
  if (!address) return;
  const key = KNOWN_PREFIX + digestOf(userAndAddress(username, address));
  const at = new Date();
  await write((db) =>
    db.throttle.upsert({ where: { key }, create: { key, count: 0, windowStart: at, inFlight: 0 }, update: { windowStart: at }, select: { key: true } }),
  );
}

export type Attempt =
  | { allowed: false; reason: "limit" | "busy"; retryAfterSeconds: number }
  | {
      allowed: true;
      /** Counts against every key (a failed login, an account made). */
      counted: () => Promise<void>;
      /** Starts the counts of the given keys (of this attempt's) over (a successful login clears its username). */
      cleared: (keys: string[]) => Promise<void>;
      /** Ends without counting (the check itself failed). */
      abandoned: () => Promise<void>;
    };

/**
 * Asks to go ahead with `action` for these keys. When allowed, the attempt holds a place
 * against every key's limit until one of `counted`, `cleared` or `abandoned` has finished.
 */
export async function beginAttempt(action: ThrottledAction, keys: string[]): Promise<Attempt> {
  // No key to count against (a per-address limit when the address is unknown): nothing to limit.
  if (keys.length === 0) return { allowed: true, counted: async () => {}, cleared: async () => {}, abandoned: async () => {} };
  const deadline = Date.now() + MAX_WAIT_MS;
  for (;;) {
    const reserved = await reserve(keys);
    if (reserved) return heldAttempt(keys);
    const waitMs = await fullWindowWait(keys);
    if (waitMs > 0) return { allowed: false, reason: "limit", retryAfterSeconds: Math.ceil(waitMs / 1000) };
    if (Date.now() >= deadline) {
      console.warn(`[quill] a ${action} attempt waited ${MAX_WAIT_MS} ms for the attempts in flight`);
      return { allowed: false, reason: "busy", retryAfterSeconds: 1 };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

// Stale windows count as empty and lapsed reservations as none, in the same expressions the
// UPDATE uses to start them over.
const windowOver = (expired: Date) => Prisma.sql`"windowStart" <= ${expired}`;
const reservationsLapsed = (now: Date) => Prisma.sql`("inFlightUntil" IS NULL OR "inFlightUntil" <= ${now})`;

// Every transaction here takes the keys' rows in this one order: on PostgreSQL, where each
// UPDATE locks its row until the end of the transaction, two attempts on the same keys
// could otherwise each hold one row and wait for the other's (a deadlock, a failed login).
const inLockOrder = (keys: string[]) => [...new Set(keys)].sort();

/** One place against every key's limit, or none: true when all were reserved. */
async function reserve(keys: string[]): Promise<boolean> {
  const now = new Date();
  const lapse = new Date(now.getTime() + RESERVATION_MS);
  const full = new Error("full");
  const ordered = inLockOrder(keys);
  try {
    await write(async (db) => {
      const rows = ordered.map((key) => Prisma.sql`(${key}, 0, ${now}, 0)`);
      await db.$executeRaw`INSERT INTO "Throttle" ("key", "count", "windowStart", "inFlight") VALUES ${Prisma.join(rows)}
        ON CONFLICT ("key") DO NOTHING`;
      const inFlightNow = Prisma.sql`CASE WHEN ${reservationsLapsed(now)} THEN 0 ELSE "inFlight" END`;
      for (const key of ordered) {
        // Each key has its own action's limit (a login counts against login and loginAccount keys).
        const { max, windowMs } = limitOf(key);
        const expired = new Date(now.getTime() - windowMs);
        const countNow = Prisma.sql`CASE WHEN ${windowOver(expired)} THEN 0 ELSE "count" END`;
        const updated = await db.$executeRaw`UPDATE "Throttle" SET
            "count" = ${countNow},
            "windowStart" = CASE WHEN ${windowOver(expired)} THEN ${now} ELSE "windowStart" END,
            "inFlight" = ${inFlightNow} + 1,
            "inFlightUntil" = ${lapse}
          WHERE "key" = ${key} AND ${countNow} + ${inFlightNow} < ${max}`;
        if (updated !== 1) throw full; // rolls back the places taken for earlier keys
      }
    });
    return true;
  } catch (error) {
    if (error === full) return false;
    throw error;
  }
}

/** How long until the fullest key's window ends, when its count alone has reached the limit; 0 otherwise. */
async function fullWindowWait(keys: string[]): Promise<number> {
  const now = Date.now();
  const rows = await reader().throttle.findMany({ where: { key: { in: keys } }, select: { key: true, count: true, windowStart: true } });
  let waitMs = 0;
  for (const row of rows) {
    const { max, windowMs } = limitOf(row.key);
    const windowEnd = row.windowStart.getTime() + windowMs;
    if (windowEnd > now && row.count >= max) waitMs = Math.max(waitMs, windowEnd - now);
  }
  return waitMs;
}

function heldAttempt(keys: string[]): Attempt {
  let ended = false;
  /** Gives back each key's place, and changes its count as `countOf` says, one key at a time in lock order. */
  const end = async (countOf: (key: string) => "counted" | "cleared" | "kept") => {
    if (ended) return;
    ended = true;
    await write(async (db) => {
      for (const key of inLockOrder(keys)) {
        const count = countOf(key);
        const counting = count === "counted" ? Prisma.sql`, "count" = "count" + 1` : count === "cleared" ? Prisma.sql`, "count" = 0` : Prisma.empty;
        await db.$executeRaw`UPDATE "Throttle" SET "inFlight" = CASE WHEN "inFlight" > 0 THEN "inFlight" - 1 ELSE 0 END${counting}
          WHERE "key" = ${key}`;
      }
    });
    await purgeOldRows();
  };
  return {
    allowed: true,
    counted: () => end(() => "counted"),
    cleared: (cleared) => end((key) => (cleared.includes(key) ? "cleared" : "kept")),
    abandoned: () => end(() => "kept"),
  };
}

// Rows whose window is long over and that hold no reservation say nothing any more, nor do
// addresses known for longer than 30 days; they are deleted now and then (at most once a
// minute per process), so the table stays small.
let lastPurge = 0;
async function purgeOldRows() {
  const now = Date.now();
  if (now - lastPurge < 60_000) return;
  lastPurge = now;
  const at = new Date(now);
  await write(async (db) => {
    await db.$executeRaw`DELETE FROM "Throttle" WHERE "windowStart" < ${new Date(now - LONGEST_WINDOW_MS)} AND ${reservationsLapsed(at)}
      AND "key" NOT LIKE ${`${KNOWN_PREFIX}%`}`;
    await db.throttle.deleteMany({ where: { key: { startsWith: KNOWN_PREFIX }, windowStart: { lt: new Date(now - KNOWN_ADDRESS_MS) } } });
  });
}
