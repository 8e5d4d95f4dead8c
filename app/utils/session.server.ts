import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createCookieSessionStorage, redirect } from "@remix-run/node";
import { getUserById, type SessionUser } from "~/models/user.server";
import { DEFAULT_DATABASE_FILE, databaseConfig } from "../../prisma/database-url.js";
import { safeRedirect } from "~/utils/redirect";

const THIRTY_DAYS = 60 * 60 * 24 * 30;

/**
 * Signing secrets, newest first. SESSION_SECRET takes a comma-separated list so a new
 * secret can be added in front while cookies signed with the old one still verify.
 * Without it, a random secret is made once and kept beside the database, so `npm start`
 * needs no configuration and restarts do not sign everybody out.
 */
function loadSecrets(): string[] {
  const configured = (process.env.SESSION_SECRET ?? "")
    .split(",")
    .map((secret) => secret.trim())
    .filter(Boolean);
  if (configured.length > 0) return configured;

  // Beside the SQLite file; on PostgreSQL (development only: scripts/start.js refuses to
  // start production without SESSION_SECRET) in the default data folder.
  const database = databaseConfig();
  const file = path.join(path.dirname(database.kind === "sqlite" ? database.file : DEFAULT_DATABASE_FILE), "session-secret");
  try {
    const stored = fs.readFileSync(file, "utf8").trim();
    if (stored) return [stored];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secret = crypto.randomBytes(32).toString("base64url");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  console.log(`[quill] SESSION_SECRET is not set: created a random one in ${file}`);
  return [secret];
}

// `expiresAt` (ms since 1970) is signed with the rest: Max-Age only asks the browser to
// forget the cookie, and a copied cookie could otherwise be replayed forever.
type SessionData = { userId: number; sessionVersion: number; expiresAt: number };

// Secure cookies are not sent over plain HTTP, except to localhost; COOKIE_SECURE=false
// allows running the production build over plain HTTP on another host name.
const secureCookie =
  process.env.NODE_ENV === "production" && process.env.COOKIE_SECURE !== "false";

const SESSION_COOKIE = "__quill_session";

/** Whether a Cookie header carries Quill's session cookie, valid or not. */
export function hasSessionCookie(cookieHeader: string | null | undefined) {
  return cookieHeader != null && cookieHeader.split(";").some((pair) => pair.trimStart().startsWith(`${SESSION_COOKIE}=`));
}

const sessionStorage = createCookieSessionStorage<SessionData>({
  cookie: {
    name: SESSION_COOKIE,
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookie,
    path: "/",
    maxAge: THIRTY_DAYS,
    secrets: loadSecrets(),
  },
});

function getSession(request: Request) {
  return sessionStorage.getSession(request.headers.get("Cookie"));
}

/**
 * The signed-in user, or null. An expired cookie, or one from before "log out everywhere",
 * counts as none.
 */
export async function getUser(request: Request): Promise<SessionUser | null> {
  const session = await getSession(request);
  const userId = session.get("userId");
  const expiresAt = session.get("expiresAt");
  if (typeof userId !== "number" || typeof expiresAt !== "number" || expiresAt <= Date.now()) return null;
  const user = await getUserById(userId);
  if (!user || user.sessionVersion !== session.get("sessionVersion")) return null;
  return user;
}

/** The signed-in user, or a redirect to the login page that comes back here afterwards. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getUser(request);
  if (user) return user;
  const url = new URL(request.url);
  const params = new URLSearchParams({ redirectTo: `${url.pathname}${url.search}` });
  throw redirect(`/login?${params}`);
}

/** Signs the user in with a brand-new cookie (never one that came with the request). */
export async function createUserSession(user: SessionUser, redirectTo: string | null) {
  const session = await sessionStorage.getSession();
  session.set("userId", user.id);
  session.set("sessionVersion", user.sessionVersion);
  session.set("expiresAt", Date.now() + THIRTY_DAYS * 1000);
  return redirect(safeRedirect(redirectTo), {
    headers: { "Set-Cookie": await sessionStorage.commitSession(session) },
  });
}

export async function logout(request: Request) {
  const session = await getSession(request);
  return redirect("/", {
    headers: { "Set-Cookie": await sessionStorage.destroySession(session) },
  });
}
