import { parse } from "cookie";
import type { EntryContext } from "@remix-run/node";
import { PAGE_VARIANT_COOKIES } from "~/utils/page-variant";
import type { RouteHandle } from "~/utils/route-handle";
import { hasSessionCookie } from "~/utils/session.server";

// Who may keep a rendered page: browsers, shared caches in front of Quill, and the server's
// own response cache (server/response-cache.ts), which caches exactly what is marked public here.

/** Same for every visitor who is not signed in: kept, but checked with us before each use. */
export const PUBLIC_PAGE = "public, max-age=0, must-revalidate";
/** Rendered for this visitor (signed in, a form's answer...): never stored anywhere. */
export const PRIVATE_PAGE = "private, no-store";

/**
 * The Cache-Control of a rendered document: public only when its route says it looks the
 * same to every visitor who is not signed in (RouteHandle) and this request carries no
 * session cookie, valid or not, as Remix's cookie parser finds it (hasSessionCookie).
 */
export async function pageCacheControl(request: Request, context: EntryContext): Promise<string> {
  const leaf = context.staticHandlerContext.matches.at(-1);
  const handle = leaf ? (context.routeModules[leaf.route.id]?.handle as RouteHandle | undefined) : undefined;
  if (handle?.samePageForVisitors !== true) return PRIVATE_PAGE;
  return (await hasSessionCookie(request.headers.get("Cookie"))) ? PRIVATE_PAGE : PUBLIC_PAGE;
}

/**
 * The part of a kept page's key that comes from cookies: the values of the cookies in
 * PAGE_VARIANT_COOKIES, read by the cookie parser Remix uses (it trims names and values),
 * and the one app/utils/preferences.ts reads them with. No Cookie header and one without
 * any of them give the same key: the same page.
 */
export function pageVariant(cookieHeader: string | null | undefined): string {
  const cookies = cookieHeader ? parse(cookieHeader) : {};
  return PAGE_VARIANT_COOKIES.map((name) => cookies[name] ?? "").join("\u0000");
}
