// The one same-origin check: every request that may change something (anything but GET and
// HEAD), except those carrying a bearer token, is refused with a 403 before any action runs
// when a browser sent it from another site. SameSite=Lax cookies keep most of those out;
// this also covers top-level POSTs, same-site subdomains and the JSON API's cookie writes.
// Clients that send neither Origin nor Sec-Fetch-Site (curl, scripts) pass: without a
// browser there is no victim's cookie to abuse.

import type { Request, RequestHandler } from "express";

const PAGE_REFUSAL = "This form was sent from another site, so it was refused.";
const API_REFUSAL = "This request came from another site, so your browser's session was not accepted. Use an API token instead.";
const BEARER = /^Bearer\s/i;

/**
 * `trustProxy`: the TRUST_PROXY hop count (X-Forwarded-Host is the host behind a trusted
 * proxy); `allowedOrigins`: ORIGIN, other origins whose pages may submit to us.
 */
export function sameOrigin({ trustProxy, allowedOrigins }: { trustProxy: number; allowedOrigins: string[] }): RequestHandler {
  return (req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD" || !isRefused(req, trustProxy, allowedOrigins)) return next();
    // Nothing reads the body: Node discards it after the answer and the connection stays usable.
    if (isApiRequest(req)) res.status(403).json({ status: "failed", reason: API_REFUSAL });
    else res.status(403).type("text/plain").send(PAGE_REFUSAL);
  };
}

function isRefused(req: Request, trustProxy: number, allowedOrigins: string[]): boolean {
  const origin = req.get("Origin");
  const forwardedHost = req.get("X-Forwarded-Host")?.split(",")[0]?.trim() || undefined;
  // Remix compares Origin with X-Forwarded-Host (else Host) itself, whoever sent that
  // header, before every action of a page, and answers a mismatch with a bare 500. So
  // whatever it would refuse is refused here first, with the 403 it deserves.
  if (origin !== undefined && !isApiRequest(req) && hostOf(origin) !== (forwardedHost ?? req.get("Host"))) return true;
  // Tokens are never sent by a browser on its own, so another site cannot use one.
  if (BEARER.test(req.get("Authorization") ?? "")) return false;
  const fetchSite = req.get("Sec-Fetch-Site");
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") return true;
  if (origin === undefined) return false;
  // Scheme and host: an http page cannot submit to https, nor another port or subdomain.
  // Behind a proxy (TRUST_PROXY), both are what it says it was asked for.
  const ownHost = trustProxy > 0 && forwardedHost ? forwardedHost : req.get("Host");
  return origin !== `${req.protocol}://${ownHost}` && !allowedOrigins.includes(origin);
}

/** `origin` "null" (sandboxed frames, privacy redirects) and garbage have none. */
function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/**
 * True for /api and below as Remix will route it: the URL is resolved the way Remix's
 * adapter does ("/api/../new" is a page), the match ignores case, and single-fetch data
 * requests (`.data`) belong to pages. API refusals are JSON.
 */
function isApiRequest(req: Request): boolean {
  const path = new URL(`http://localhost${req.url}`).pathname;
  return /^\/api(\/|$)/i.test(path) && !path.endsWith(".data");
}
