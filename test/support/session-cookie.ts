import { createCookie } from "@remix-run/node";
import { openReadOnly } from "./database-snapshot";

/**
 * A session cookie made outside the app, for cookies the app would never hand out itself:
 * one signed with a secret it no longer (or never) had, or one whose signed expiry has
 * passed. It mirrors app/utils/session.server.ts (cookie name and session fields).
 */
export async function forgeSessionCookie({
  databaseFile,
  username,
  secret,
  expiresAt = Date.now() + 60 * 60 * 1000,
}: {
  databaseFile: string;
  username: string;
  secret: string;
  expiresAt?: number;
}): Promise<string> {
  const db = openReadOnly(databaseFile);
  const user = db
    .prepare(`SELECT id, sessionVersion FROM "User" WHERE usernameKey = ?`)
    .get(username.toLowerCase()) as { id: number; sessionVersion: number } | undefined;
  db.close();
  if (!user) throw new Error(`no user ${username}`);
  const cookie = createCookie("__quill_session", { secrets: [secret], path: "/" });
  const header = await cookie.serialize({ userId: user.id, sessionVersion: user.sessionVersion, expiresAt });
  return header.split(";")[0];
}
