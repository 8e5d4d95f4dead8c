import { createCookie, createCookieSessionStorage, redirect } from "@remix-run/node";
import { getUserById, type SessionUser } from "~/models/user.server";
import { sessionSecrets } from "../../scripts/session-secret.js";
import { env } from "~/utils/env.server";
import { safeRedirect } from "~/utils/redirect";

const THIRTY_DAYS = 60 * 60 * 24 * 30;

// `expiresAt` (ms since 1970) is signed with the rest: Max-Age only asks the browser to
// forget the cookie, and a copied cookie could otherwise be replayed forever.
type SessionData = { userId: number; sessionVersion: number; expiresAt: number };
// A one-time notice ("Published.") for the next page, read and removed by the root loader.
type SessionFlashData = { notice: string };

// Secure cookies are not sent over plain HTTP, except to localhost; COOKIE_SECURE=false
// allows running the production build over plain HTTP on another host name.
const secureCookie =
  process.env.NODE_ENV === "production" && env().COOKIE_SECURE;

export const SESSION_COOKIE = "__quill_session";

const sessionStorage = createCookieSessionStorage<SessionData, SessionFlashData>({
  cookie: {
    name: SESSION_COOKIE,
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookie,
    path: "/",
    maxAge: THIRTY_DAYS,
    secrets: sessionSecrets(),
  },
});

function getSession(request: Request) {
  return sessionStorage.getSession(request.headers.get("Cookie"));
}

// Remix's own cookie parser, with the session cookie's name and no secrets: it finds the
// cookie exactly where the session storage will look for it (it trims names, so
// `__quill_session =...` is one), whether or not its signature holds.
const anySessionCookie = createCookie(SESSION_COOKIE);

/**
 * Whether a Cookie header carries Quill's session cookie, valid or not: what decides "signed
 * in or not" wherever a page must never be shared (app/utils/page-caching.server.ts, and
 * the server's kept pages through the entry module).
 */
export async function hasSessionCookie(cookieHeader: string | null | undefined): Promise<boolean> {
  if (!cookieHeader) return false;
  return (await anySessionCookie.parse(cookieHeader)) !== null;
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

/**
 * Signs the user in with a brand-new cookie (never one that came with the request),
 * optionally with a notice for the page it goes to.
 */
export async function createUserSession(user: SessionUser, redirectTo: string | null, notice?: string) {
  const session = await sessionStorage.getSession();
  session.set("userId", user.id);
  session.set("sessionVersion", user.sessionVersion);
  session.set("expiresAt", Date.now() + THIRTY_DAYS * 1000);
  if (notice) session.flash("notice", notice);
  return redirect(safeRedirect(redirectTo), {
    headers: { "Set-Cookie": await sessionStorage.commitSession(session) },
  });
}

/** Signs out and goes to `redirectTo` when it is a local path (else the front page). */
export async function logout(request: Request, redirectTo: string | null = null) {
  const session = await getSession(request);
  return redirect(safeRedirect(redirectTo), {
    headers: { "Set-Cookie": await sessionStorage.destroySession(session) },
  });
}

// ---- one-time notices ----------------------------------------------------------------

/** A redirect that shows `notice` once on the page it leads to ("Published.", "Deleted."). */
export async function redirectWithNotice(request: Request, to: string, notice: string) {
  const session = await getSession(request);
  session.flash("notice", notice);
  return redirect(to, { headers: { "Set-Cookie": await sessionStorage.commitSession(session) } });
}

/**
 * The notice waiting in the session, if any. Reading it removes it, so the answer carries
 * the session without it (a session holding nothing else is cleared): it is shown once. No
 * notice, no Set-Cookie, so pages for visitors stay shareable.
 */
export async function takeNotice(request: Request): Promise<{ notice: string | null; setCookie: string | null }> {
  const cookieHeader = request.headers.get("Cookie");
  if (!cookieHeader?.includes(SESSION_COOKIE)) return { notice: null, setCookie: null };
  const session = await sessionStorage.getSession(cookieHeader);
  const notice = session.get("notice");
  if (typeof notice !== "string") return { notice: null, setCookie: null };
  const setCookie = session.has("userId") ? await sessionStorage.commitSession(session) : await sessionStorage.destroySession(session);
  return { notice, setCookie };
}
