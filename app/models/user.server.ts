import { hash, verify, type Options } from "@node-rs/argon2";
import { hotQuery, isUniqueViolation, reader, timestamp, write } from "~/utils/db.server";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN, USERNAME_RULE } from "~/utils/rules";
import { hasErrors, type FieldErrors, type Validated } from "~/utils/validation";

export type SessionUser = { id: number; username: string; sessionVersion: number };
const SESSION_USER_COLUMNS = ["id", "username", "sessionVersion"] as const;

// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane. About 9-13 ms a hash
// on the 2-core machine this runs on (docs/decisions/004-argon2id.md).
const HASH_OPTIONS: Options = {
  algorithm: 2 as Options["algorithm"], // Algorithm.Argon2id: a const enum, unusable with isolatedModules
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};


type CredentialField = "username" | "password";
type Credentials = { username: string; password: string };

export function validateNewCredentials(input: Credentials): Validated<Credentials, CredentialField> {
  const errors: FieldErrors<CredentialField> = {};
  if (!USERNAME_PATTERN.test(input.username)) errors.username = `A username is ${USERNAME_RULE}.`;
  errors.password = passwordProblem(input.password);
  return hasErrors(errors) ? { ok: false, errors } : { ok: true, value: input };
}

export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `A password needs at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH)
    return `A password can have at most ${PASSWORD_MAX_LENGTH} characters.`;
  return undefined;
}

function usernameKey(username: string) {
  return username.toLowerCase();
}

export function hashPassword(password: string) {
  return hash(password, HASH_OPTIONS);
}

/** Creates the account, or answers "taken" when the name (ignoring case) is in use. */
export async function createUser({ username, password }: Credentials): Promise<SessionUser | "taken"> {
  const passwordHash = await hashPassword(password);
  const now = timestamp();
  try {
    return await write((db) =>
      db
        .insertInto("User")
        .values({ username, usernameKey: usernameKey(username), passwordHash, createdAt: now, updatedAt: now })
        .returning(SESSION_USER_COLUMNS)
        .executeTakeFirstOrThrow(),
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
  const user = await reader()
    .selectFrom("User")
    .select([...SESSION_USER_COLUMNS, "passwordHash"])
    .where("usernameKey", "=", usernameKey(username))
    .executeTakeFirst();
  const valid = await verify(user?.passwordHash ?? (await decoyHash), password);
  if (!user || !valid) return null;
  return { id: user.id, username: user.username, sessionVersion: user.sessionVersion };
}

/** The user of a session; every signed-in request asks this, so it is one primary-key read. */
const userByIdQuery = hotQuery((db, id: number) => db.selectFrom("User").select(SESSION_USER_COLUMNS).where("id", "=", id));

export async function getUserById(id: number): Promise<SessionUser | null> {
  const [user] = await userByIdQuery(id);
  return user ?? null;
}

/** Ends every session of the user: cookies carry the old version and stop working. */
export function endAllSessions(userId: number): Promise<SessionUser> {
  return write((db) =>
    db
      .updateTable("User")
      .set((eb) => ({ sessionVersion: eb("sessionVersion", "+", 1), updatedAt: timestamp() }))
      .where("id", "=", userId)
      .returning(SESSION_USER_COLUMNS)
      .executeTakeFirstOrThrow(),
  );
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
    db
      .updateTable("User")
      .set((eb) => ({ passwordHash, sessionVersion: eb("sessionVersion", "+", 1), updatedAt: timestamp() }))
      .where("id", "=", user.id)
      .returning(SESSION_USER_COLUMNS)
      .executeTakeFirstOrThrow(),
  );
}
