import crypto from "node:crypto";
import type { SessionUser } from "~/models/user.server";
import { isDatabaseBusy, reader, write, type ApiToken } from "~/utils/db.server";

// A recognisable prefix lets people (and secret scanners) tell a Quill token at a glance.
const TOKEN_PREFIX = "quill_";
// 32 random bytes in base64url are 43 characters.
const TOKEN_PATTERN = /^quill_[A-Za-z0-9_-]{43}$/;
// Recording every use would turn each API read into a write; once a minute is enough to
// answer "is this token still in use?".
const LAST_USED_PRECISION_MS = 60_000;

export type ApiTokenSummary = Pick<ApiToken, "id" | "name" | "createdAt" | "lastUsedAt">;
const SUMMARY_COLUMNS = { id: true, name: true, createdAt: true, lastUsedAt: true } as const;

// A token has 256 random bits, so a plain (unsalted, fast) SHA-256 is enough: there is
// nothing to guess, and the lookup by hash is a unique-index hit.
function hashToken(token: string) {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/** Makes a token; the returned `token` is the only copy there will ever be. */
export async function createApiToken({ userId, name }: { userId: number; name: string }) {
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const apiToken = await write((db) => db.apiToken.create({ data: { userId, name, tokenHash: hashToken(token) }, select: SUMMARY_COLUMNS }));
  return { token, apiToken };
}

export async function listApiTokens(userId: number): Promise<ApiTokenSummary[]> {
  return reader().apiToken.findMany({ where: { userId }, orderBy: { id: "desc" }, select: SUMMARY_COLUMNS });
}

/** Deletes the token if it is `userId`'s; false when there is no such token of theirs. */
export async function revokeApiToken({ id, userId }: { id: number; userId: number }): Promise<boolean> {
  const { count } = await write((db) => db.apiToken.deleteMany({ where: { id, userId } }));
  return count === 1;
}

/** Whether `value` has the form of a token (it may still be unknown or revoked). */
export function isApiToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** The user a token belongs to, or null for anything that is not a live token. */
export async function verifyApiToken(token: string, now = new Date()): Promise<SessionUser | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const found = await reader().apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, lastUsedAt: true, user: { select: { id: true, username: true, sessionVersion: true } } },
  });
  if (!found) return null;
  const staleBefore = new Date(now.getTime() - LAST_USED_PRECISION_MS);
  if (found.lastUsedAt === null || found.lastUsedAt < staleBefore) {
    // The condition is repeated in the write, so concurrent requests record one use, not
    // many. Bookkeeping only: a busy database skips it rather than failing the request.
    await write((db) =>
      db.apiToken.updateMany({
        where: { id: found.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] },
        data: { lastUsedAt: now },
      }),
    ).catch((error: unknown) => {
      if (!isDatabaseBusy(error)) throw error;
    });
  }
  return found.user;
}
