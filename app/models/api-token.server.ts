import crypto from "node:crypto";
import type { SessionUser } from "~/models/user.server";
import { isDatabaseBusy, reader, timestamp, toDate, write } from "~/utils/db.server";

// A recognisable prefix lets people (and secret scanners) tell a Quill token at a glance.
const TOKEN_PREFIX = "quill_";
// 32 random bytes in base64url are 43 characters.
const TOKEN_PATTERN = /^quill_[A-Za-z0-9_-]{43}$/;
// Recording every use would turn each API read into a write; once a minute is enough to
// answer "is this token still in use?".
const LAST_USED_PRECISION_MS = 60_000;

export type ApiTokenSummary = { id: number; name: string; createdAt: Date; lastUsedAt: Date | null };

function tokenSummary(row: { id: number; name: string; createdAt: string; lastUsedAt: string | null }): ApiTokenSummary {
  return { ...row, createdAt: toDate(row.createdAt), lastUsedAt: row.lastUsedAt === null ? null : toDate(row.lastUsedAt) };
}
const SUMMARY_COLUMNS = ["id", "name", "createdAt", "lastUsedAt"] as const;

// A token has 256 random bits, so a plain (unsalted, fast) SHA-256 is enough: there is
// nothing to guess, and the lookup by hash is a unique-index hit.
function hashToken(token: string) {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/** Makes a token; the returned `token` is the only copy there will ever be. */
export async function createApiToken({ userId, name }: { userId: number; name: string }) {
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const row = await write((db) =>
    db
      .insertInto("ApiToken")
      .values({ userId, name, tokenHash: hashToken(token), createdAt: timestamp() })
      .returning(SUMMARY_COLUMNS)
      .executeTakeFirstOrThrow(),
  );
  return { token, apiToken: tokenSummary(row) };
}

export async function listApiTokens(userId: number): Promise<ApiTokenSummary[]> {
  const rows = await reader().selectFrom("ApiToken").select(SUMMARY_COLUMNS).where("userId", "=", userId).orderBy("id", "desc").execute();
  return rows.map(tokenSummary);
}

/** Deletes the token if it is `userId`'s; false when there is no such token of theirs. */
export async function revokeApiToken({ id, userId }: { id: number; userId: number }): Promise<boolean> {
  const { numDeletedRows } = await write((db) =>
    db.deleteFrom("ApiToken").where("id", "=", id).where("userId", "=", userId).executeTakeFirst(),
  );
  return numDeletedRows === 1n;
}

/** Whether `value` has the form of a token (it may still be unknown or revoked). */
export function isApiToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** The user a token belongs to, or null for anything that is not a live token. */
export async function verifyApiToken(token: string, now = new Date()): Promise<SessionUser | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const found = await reader()
    .selectFrom("ApiToken as t")
    .innerJoin("User as u", "u.id", "t.userId")
    .select(["t.id as tokenId", "t.lastUsedAt", "u.id", "u.username", "u.sessionVersion"])
    .where("t.tokenHash", "=", hashToken(token))
    .executeTakeFirst();
  if (!found) return null;
  const staleBefore = timestamp(new Date(now.getTime() - LAST_USED_PRECISION_MS));
  if (found.lastUsedAt === null || toDate(found.lastUsedAt).toISOString() < staleBefore) {
    // The condition is repeated in the write, so concurrent requests record one use, not
    // many. Bookkeeping only: a busy database skips it rather than failing the request.
    await write((db) =>
      db
        .updateTable("ApiToken")
        .set({ lastUsedAt: timestamp(now) })
        .where("id", "=", found.tokenId)
        .where((eb) => eb.or([eb("lastUsedAt", "is", null), eb("lastUsedAt", "<", staleBefore)]))
        .execute(),
    ).catch((error: unknown) => {
      if (!isDatabaseBusy(error)) throw error;
    });
  }
  return { id: found.id, username: found.username, sessionVersion: found.sessionVersion };
}
