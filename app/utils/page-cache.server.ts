import { AsyncLocalStorage } from "node:async_hooks";
import type http from "node:http";
import zlib from "node:zlib";
import type { EntryContext } from "@remix-run/node";
import { contentVersion } from "~/utils/db.server";
import { PAGE_VARIANT_COOKIES } from "~/utils/page-variant";
import { readCookies } from "~/utils/preferences";
import type { RouteHandle } from "~/utils/route-handle";
import { createNonce, isHttpsMessage } from "~/utils/security-headers.server";
import { addRequestHook, answer } from "~/utils/server-hooks.server";
import { hasSessionCookie } from "~/utils/session.server";

/**
 * Visitors who are not signed in all see the same front page and post pages, and those
 * are most of a blog's traffic. Rendering one through remix-serve, Remix and React costs
 * ~4 ms of CPU, which held the front page to ~320 requests a second on two cores; so a
 * page whose route says it looks the same to every visitor (RouteHandle) is kept once
 * rendered, and the next visitor gets it from memory, ahead of Remix, in ~0.3 ms
 * (docs/decisions/005-performance.md).
 *
 * - Never stale: a kept page is tagged with the database's data_version from before its
 *   loaders ran, and only served while that is still the version. Any committed write,
 *   from this process or another, makes every kept page stale at once.
 * - Small: at most 300 pages and 16 MB, the least recently asked for going first.
 * - Never shared with a signed-in user: a request carrying the session cookie (even an
 *   expired one) is never answered from here, and a response that sets a cookie is never
 *   kept.
 * - The CSP nonce stays fresh per response: the page is kept split at its nonce, and each
 *   answer joins it with a new one (and compresses it, as remix-serve would).
 */

type KeptPage = {
  dataVersion: number;
  /** The headers as rendered (no Content-Length or encoding), values split at the nonce. */
  headers: [name: string, parts: string[]][];
  /** The HTML split at the nonce. */
  html: string[];
  bytes: number;
};

// A page of posts is ~30 KB, but a post may hold 100,000 characters: so a limit on bytes
// as well as pages keeps the memory this takes small and known.
const MAX_PAGES = 300;
const MAX_BYTES = 16 * 1024 * 1024;
const kept = new Map<string, KeptPage>(); // oldest first: a hit moves a page to the end
let keptBytes = 0;

function take(key: string) {
  const page = kept.get(key);
  if (page) {
    kept.delete(key);
    keptBytes -= page.bytes;
  }
  return page;
}

function keep(key: string, page: KeptPage) {
  take(key);
  kept.set(key, page);
  keptBytes += page.bytes;
  while (kept.size > MAX_PAGES || keptBytes > MAX_BYTES) take(kept.keys().next().value as string);
}

type Candidate = { key: string; dataVersion: number };
const candidates = new AsyncLocalStorage<Candidate>();

// Only the production build: under the dev server a kept page would outlive the code
// change that should have altered it.
const ENABLED = process.env.NODE_ENV === "production";

addRequestHook("page-cache", (_server, message, response, next) => {
  const key = ENABLED ? keyOf(message) : null;
  if (key === null) return next();
  contentVersion().then(
    (dataVersion) => {
      const page = take(key);
      if (page?.dataVersion !== dataVersion) return candidates.run({ key, dataVersion }, next);
      keep(key, page);
      send(page, message, response);
    },
    () => next(), // the database is unreadable: Remix shows the error page
  );
  return true;
});

// Never a page: the JSON API, built assets and other files, single-fetch data requests.
// Checked first so they skip the data_version query (~10 us).
const NOT_A_PAGE = /^\/(?:api|assets)(?:[/?]|$)|^[^?]*\.[A-Za-z0-9]+(?:\?|$)/;

/**
 * Only a plain GET of a page, without a session cookie; the scheme and host are in the key
 * because the HSTS header and any absolute URL depend on them, and so are the cookies pages
 * look different for (PAGE_VARIANT_COOKIES: theme, time zone).
 */
function keyOf(message: http.IncomingMessage): string | null {
  const url = message.url ?? "";
  if (message.method !== "GET" || NOT_A_PAGE.test(url) || hasSessionCookie(message.headers.cookie)) return null;
  const cookies = readCookies(message.headers.cookie);
  const variant = PAGE_VARIANT_COOKIES.map((name) => cookies.get(name) ?? "").join("\u0000");
  return `${isHttpsMessage(message) ? "https" : "http"}://${message.headers.host ?? ""}${url} ${variant}`;
}

/** Called by entry.server once a page is rendered; keeps it if it may be shown to the next visitor. */
export function keepPage({
  context,
  status,
  headers,
  html,
  nonce,
}: {
  context: EntryContext;
  status: number;
  headers: Headers;
  html: Buffer;
  nonce: string;
}) {
  const candidate = candidates.getStore();
  if (!candidate || status !== 200 || headers.has("Set-Cookie") || !isSameForVisitors(context)) return;
  keep(candidate.key, {
    dataVersion: candidate.dataVersion,
    headers: [...headers].map(([name, value]) => [name, value.split(nonce)]),
    html: html.toString("utf8").split(nonce),
    bytes: html.byteLength,
  });
}

function isSameForVisitors(context: EntryContext) {
  const leaf = context.staticHandlerContext.matches.at(-1);
  const handle = leaf ? (context.routeModules[leaf.route.id]?.handle as RouteHandle | undefined) : undefined;
  return handle?.samePageForVisitors === true;
}

function send(page: KeptPage, message: http.IncomingMessage, response: http.ServerResponse) {
  const nonce = createNonce();
  const html = page.html.join(nonce);
  const encoding = preferredEncoding(message.headers["accept-encoding"]);
  const body = encoding ? compress(html, encoding) : Buffer.from(html);
  const headers: http.OutgoingHttpHeaders = Object.fromEntries(page.headers.map(([name, parts]) => [name, parts.join(nonce)]));
  headers["Vary"] = "Accept-Encoding";
  if (encoding) headers["Content-Encoding"] = encoding;
  headers["Content-Length"] = body.byteLength;
  headers["Server-Timing"] = 'page-cache;desc="hit"';
  answer(message, response, 200, headers, body);
}

// The same as remix-serve's compression middleware: Brotli at quality 4, else gzip.
function compress(html: string, encoding: "br" | "gzip") {
  return encoding === "br"
    ? zlib.brotliCompressSync(html, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: html.length,
        },
      })
    : zlib.gzipSync(html);
}

/** Brotli if the client takes it, else gzip, else none; q=0 refuses an encoding. */
export function preferredEncoding(acceptEncoding: string | undefined): "br" | "gzip" | null {
  const quality = new Map<string, number>();
  for (const entry of (acceptEncoding ?? "").split(",")) {
    const [name, ...parameters] = entry.split(";").map((part) => part.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    if (name) quality.set(name, q ? Number(q.slice(2)) : 1);
  }
  const accepts = (name: string) => (quality.get(name) ?? quality.get("*") ?? 0) > 0;
  return accepts("br") ? "br" : accepts("gzip") ? "gzip" : null;
}
