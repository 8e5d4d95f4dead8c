import { createCookie } from "@remix-run/node";
import { withTestDatabase } from "./database";

/**
 * A session cookie made outside the app, for cookies the app would never hand out itself:
 * one signed with a secret it no longer (or never) had, or one whose signed expiry has
 * passed. It mirrors app/utils/session.server.ts (cookie name and session fields).
 */
export async function forgeSessionCookie({
  databaseUrl,
  username,
  secret,
  expiresAt = Date.now() + 60 * 60 * 1000,
}: {
  databaseUrl: string;
  username: string;
  secret: string;
  expiresAt?: number;
}): Promise<string> {
  const user = await withTestDatabase(databaseUrl, (db) =>
    db.user.findUnique({ where: { usernameKey: username.toLowerCase() }, select: { id: true, sessionVersion: true } }),
  );
  if (!user) throw new Error(`no user ${username}`);
  const cookie = createCookie("__quill_session", { secrets: [secret], path: "/" });
  const header = await cookie.serialize({ userId: user.id, sessionVersion: user.sessionVersion, expiresAt });
  return header.split(";")[0];
}
