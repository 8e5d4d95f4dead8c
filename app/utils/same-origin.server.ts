import type http from "node:http";
import { addRequestHook, answer } from "~/utils/server-hooks.server";
import { isHttpsMessage, securityHeaders } from "~/utils/security-headers.server";

const REFUSED = "This form was sent from another site, so it was refused.";

type HeaderReader = (name: string) => string | null;

/**
 * True for a state-changing request that a page on another site made the browser send.
 * SameSite=Lax cookies already keep most of those out; this also covers top-level POSTs
 * and same-site subdomains. Browsers send Origin (and Sec-Fetch-Site) with every POST;
 * clients that send neither (curl, scripts) cannot carry a victim's cookie anyway.
 */
function isCrossSite(method: string, header: HeaderReader, ownHost: string): boolean {
  if (method === "GET" || method === "HEAD") return false;
  const fetchSite = header("Sec-Fetch-Site");
  if (fetchSite !== null && fetchSite !== "same-origin" && fetchSite !== "none") return true;
  const origin = header("Origin");
  return origin !== null && !isOwnOrigin(origin, ownHost);
}

function isOwnOrigin(origin: string, ownHost: string) {
  const allowed = (process.env.ORIGIN ?? "").split(",").map((value) => value.trim()).filter(Boolean);
  if (allowed.includes(origin)) return true;
  try {
    // Compare hosts, not schemes: behind a TLS-terminating proxy the app sees http.
    return new URL(origin).host === ownHost;
  } catch {
    return false; // "null" (sandboxed frames, privacy redirects) or garbage
  }
}

/** Throws a 403 for a cross-site request; every form action passes through this. */
export function assertSameOrigin(request: Request) {
  if (isCrossSite(request.method, (name) => request.headers.get(name), new URL(request.url).host)) {
    throw new Response(REFUSED, { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}

/**
 * Remix 2 has its own Origin check in front of every action, which answers a mismatch
 * with a bare 500 and a logged stack trace before our actions (and assertSameOrigin) can
 * run. So the same decision is also made here, in a hook on the raw Node request
 * (server-hooks.server.ts), and answered with the 403 it deserves. It only ever refuses: whatever it lets through still meets
 * Remix's check and assertSameOrigin.
 *
 * The JSON API is left to decide for itself (app/utils/api.server.ts): bearer tokens are
 * exempt, cookie-authenticated writes still meet assertSameOrigin there, and refusals must
 * be JSON. Its routes are resource routes, which Remix's own check does not cover; `.data`
 * and `?_data` requests do reach that check, so they stay guarded here.
 */
addRequestHook("same-origin", (_server, message, response, next) => {
  const header: HeaderReader = (name) => {
    const value = message.headers[name.toLowerCase()];
    return typeof value === "string" ? value : null;
  };
  if (!isApiRequest(message.url ?? "/") && isCrossSite(message.method ?? "GET", header, message.headers.host ?? "")) {
    refuse(message, response);
    return true;
  }
  return next();
});

/**
 * True for /api and below as Remix will route it: the URL is parsed the way the Express
 * adapter does, so "/api/../new" is not the API and "//host/api" is not either, and the
 * match ignores case, as route matching does.
 */
function isApiRequest(target: string) {
  try {
    const url = new URL(`http://localhost${target}`);
    return /^\/api(\/|$)/i.test(url.pathname) && !url.pathname.endsWith(".data") && !url.searchParams.has("_data");
  } catch {
    return false;
  }
}

function refuse(message: http.IncomingMessage, response: http.ServerResponse) {
  // Nothing reads the body, so Node discards it after the answer and the connection stays usable.
  const headers = { ...securityHeaders({ https: isHttpsMessage(message) }), "Content-Type": "text/plain; charset=utf-8" };
  answer(message, response, 403, headers, REFUSED);
}
