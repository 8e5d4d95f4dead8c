import crypto from "node:crypto";
import { Prisma, reader, write } from "~/utils/db.server";
import { wholeNumberSetting } from "~/utils/settings.server";

/**
 * Limits on guessing and on bulk actions, per key (an account, a client address), kept in
 * the Throttle table so that every process and machine on the database shares them.
 *
 * - login: 10 failed logins per username and per address in 15 minutes;
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
  password: { max: 10, windowMs: 15 * 60 * 1000 },
  // A class or an office may sign up together; a script making accounts may not.
  signup: { max: wholeNumberSetting("SIGNUP_LIMIT_PER_HOUR", 20), windowMs: 60 * 60 * 1000 },
} as const;
export type ThrottledAction = keyof typeof LIMITS;

// A reservation lapses after this, should the process checking it die before it ends.
const RESERVATION_MS = 30_000;
const MAX_WAIT_MS = 5_000;
const POLL_MS = 25;
const LONGEST_WINDOW_MS = Math.max(...Object.values(LIMITS).map((limit) => limit.windowMs));

/**
 * The stored key for a value (a username, an address): hashed, so that rows stay small
 * whatever a client sends, and the table holds no usernames.
 */
export function throttleKey(action: ThrottledAction, kind: "user" | "address", value: string) {
  const digest = crypto.createHash("sha256").update(kind === "user" ? value.toLowerCase() : value).digest("base64url");
  return `${action}:${kind}:${digest.slice(0, 22)}`;
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
  const { max, windowMs } = LIMITS[action];
  const deadline = Date.now() + MAX_WAIT_MS;
  for (;;) {
    const reserved = await reserve(keys, max, windowMs);
    if (reserved) return heldAttempt(keys);
    const waitMs = await fullWindowWait(keys, max, windowMs);
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
async function reserve(keys: string[], max: number, windowMs: number): Promise<boolean> {
  const now = new Date();
  const expired = new Date(now.getTime() - windowMs);
  const lapse = new Date(now.getTime() + RESERVATION_MS);
  const full = new Error("full");
  const ordered = inLockOrder(keys);
  try {
    await write(async (db) => {
      const rows = ordered.map((key) => Prisma.sql`(${key}, 0, ${now}, 0)`);
      await db.$executeRaw`INSERT INTO "Throttle" ("key", "count", "windowStart", "inFlight") VALUES ${Prisma.join(rows)}
        ON CONFLICT ("key") DO NOTHING`;
      const countNow = Prisma.sql`CASE WHEN ${windowOver(expired)} THEN 0 ELSE "count" END`;
      const inFlightNow = Prisma.sql`CASE WHEN ${reservationsLapsed(now)} THEN 0 ELSE "inFlight" END`;
      for (const key of ordered) {
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
async function fullWindowWait(keys: string[], max: number, windowMs: number): Promise<number> {
  const now = Date.now();
  const rows = await reader().throttle.findMany({ where: { key: { in: keys } }, select: { count: true, windowStart: true } });
  let waitMs = 0;
  for (const row of rows) {
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

// Rows whose window is long over and that hold no reservation say nothing any more; they
// are deleted now and then (at most once a minute per process), so the table stays small.
let lastPurge = 0;
async function purgeOldRows() {
  const now = Date.now();
  if (now - lastPurge < 60_000) return;
  lastPurge = now;
  const at = new Date(now);
  await write((db) =>
    db.$executeRaw`DELETE FROM "Throttle" WHERE "windowStart" < ${new Date(now - LONGEST_WINDOW_MS)} AND ${reservationsLapsed(at)}`,
  );
}
