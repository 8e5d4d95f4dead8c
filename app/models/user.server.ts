import pLimit from "p-limit";
import { hash, verify, type Options } from "@node-rs/argon2";
import { isUniqueViolation, reader, write, type User } from "~/utils/db.server";
import { PASSWORD_MAX_LENGTH } from "~/utils/rules";

export type SessionUser = Pick<User, "id" | "username" | "sessionVersion">;
const SESSION_USER_COLUMNS = { id: true, username: true, sessionVersion: true } as const;

// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane. About 9-13 ms a hash
// on the 2-core machine this runs on (docs/decisions/004-argon2id.md).
const HASH_OPTIONS: Options = {
  algorithm: 2 as Options["algorithm"], // Algorithm.Argon2id: a const enum, unusable with isolatedModules
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};


// The rules for new names and passwords live in the forms' schema (app/utils/account-schemas.ts).
type Credentials = { username: string; password: string };

/** How usernames are compared: one account per name, whatever its case. */
export function usernameKey(username: string) {
  return username.toLowerCase();
}

// One hash or verify at a time per process, in the order asked (a semaphore of one: p-limit):
// each holds 19 MiB while it runs, and `npm start` runs a worker process per core, so the
// CPU is used in full either way. Three at once per worker (one per pool thread) took two
// workers to 479 MB under a flood of logins (npm run bench).
export const passwordHashing = pLimit(1);

export function hashPassword(password: string) {
  return passwordHashing(() => hash(password, HASH_OPTIONS));
}

/** Creates the account, or answers "taken" when the name (ignoring case) is in use. */
export async function createUser({ username, password }: Credentials): Promise<SessionUser | "taken"> {
  const passwordHash = await hashPassword(password);
  try {
    return await write((db) =>
      db.user.create({ data: { username, usernameKey: usernameKey(username), passwordHash }, select: SESSION_USER_COLUMNS }),
    );
  } catch (error) {
    if (isUniqueViolation(error)) return "taken";
    throw error;
  }
}

// Verifying against this when the user does not exist makes a wrong username take as
// long as a wrong password, so response times do not reveal which accounts exist.
const decoyHash = hashPassword("not a real password");

/** The user when the password matches, else null (the same for unknown usernames). */
export async function verifyLogin({ username, password }: Credentials): Promise<SessionUser | null> {
  if (password.length > PASSWORD_MAX_LENGTH) return null;
  const user = await reader().user.findUnique({
    where: { usernameKey: usernameKey(username) },
    select: { ...SESSION_USER_COLUMNS, passwordHash: true },
  });
  const stored = user?.passwordHash ?? (await decoyHash);
  const valid = await passwordHashing(() => verify(stored, password));
  if (!user || !valid) return null;
  return { id: user.id, username: user.username, sessionVersion: user.sessionVersion };
}

/**
 * The user of a session; every signed-in request asks this, so it is one primary-key read,
 * as typed raw SQL (Prisma's findUnique costs it ~50 times what SQLite does; docs/decisions/013).
 */
export async function getUserById(id: number): Promise<SessionUser | null> {
  const [user] = await reader().$queryRaw<SessionUser[]>`SELECT "id", "username", "sessionVersion" FROM "User" WHERE "id" = ${id}`;
  return user ?? null;
}

/**
 * Ends every session of the user: cookies carry the old version and stop working. With
 * `revokeTokens`, their API tokens go too, in the same transaction.
 */
export function endAllSessions(userId: number, { revokeTokens = false }: { revokeTokens?: boolean } = {}): Promise<SessionUser> {
  return write(async (db) => {
    if (revokeTokens) await db.apiToken.deleteMany({ where: { userId } });
    return db.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } }, select: SESSION_USER_COLUMNS });
  });
}

export type Author = Pick<User, "id" | "username" | "createdAt">;

/** Someone by their username, in any case ("Alice" finds alice); null when there is no such account. */
export async function getUserByUsername(username: string): Promise<Author | null> {
  return reader().user.findUnique({ where: { usernameKey: usernameKey(username) }, select: { id: true, username: true, createdAt: true } });
}

/** Sets a new password and ends every other session; null when `current` is wrong. */
export async function changePassword(
  user: SessionUser,
  current: string,
  next: string,
): Promise<SessionUser | null> {
  if (!(await verifyLogin({ username: user.username, password: current }))) return null;
  const passwordHash = await hashPassword(next);
  return write((db) =>
    db.user.update({ where: { id: user.id }, data: { passwordHash, sessionVersion: { increment: 1 } }, select: SESSION_USER_COLUMNS }),
  );
}

/** The highest user id (0 without users). */
export async function lastUserId(): Promise<number> {
  // ORDER BY id DESC LIMIT 1 (Prisma's aggregate wraps MAX() around a subquery of every id).
  const last = await reader().user.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  return last?.id ?? 0;
}

/** Usernames of the accounts with `from < id <= to`, in id order: a sitemap's worth. */
export async function listUsernames({ from, to }: { from: number; to: number }): Promise<string[]> {
  const rows = await reader().user.findMany({ where: { id: { gt: from, lte: to } }, orderBy: { id: "asc" }, select: { username: true } });
  return rows.map((row) => row.username);
}
