// A response cache in each worker's memory, answered from without Remix: the pages that look
// the same to every visitor who is not signed in (the front page, post pages), and the JSON
// API's public reads (GET /api, GET /api/:id) asked without a cookie or token. Rendering a
// page costs ~4 ms of CPU; a cached one ~0.3 ms (docs/decisions/005-performance.md).
//
// - Never stale: each response is tagged with the content version read before it was made
//   (bumped in the same transaction as every write that changes what pages show, by any
//   process); it is given only while that is still the version, and for 60 s at most
//   (RESPONSE_CACHE_MAX_AGE_SECONDS), so "3 hours ago" does not go stale for long.
// - Never someone else's: a page is cached, and answered from the cache, only for a request
//   without a session cookie (valid or not, as Remix's own cookie parser finds it: the app's
//   hasSessionCookie), and only when the app marked it `Cache-Control: public` and set no
//   cookie; the key holds the scheme, host, URL and the cookies pages vary on
//   (PAGE_VARIANT_COOKIES).
// - Bounded: per worker, at most 300 pages and 16 MB, and 5,000 JSON responses and 8 MB;
//   junk URLs cannot push out what people ask for (segmented-lru.ts).
// - Pages keep a fresh CSP nonce: cached split at the nonce, the parts compressed once, and
//   joined with a new nonce for each answer as gzip (spliced-gzip.ts), even for clients that
//   also take Brotli: a few % larger than Brotli, and no compressing per answer. JSON is
//   compressed once per encoding and cached so.
//
// Two middlewares: `lookup` ahead of the compression (answers a hit, or marks the request as
// one whose response may be cached), and `record` just before Remix, which sees the response
// Remix writes (before the compression middleware encodes it) and caches it if it may.
import crypto from "node:crypto";
import zlib from "node:zlib";
import type { Request, RequestHandler, Response } from "express";
import type { AppHooks } from "./app-hooks.js";
import { SegmentedLru } from "./segmented-lru.js";
import { deflateParts, gzipJoined } from "./spliced-gzip.js";

const HIT = 'page-cache;desc="hit"';
// The compression middleware's threshold: smaller answers go out as they are.
const COMPRESS_FROM_BYTES = 1024;

// Not pages: the JSON API, built assets and other files, single-fetch data (`.data`).
const NOT_A_PAGE = /^\/(?:api|assets)(?:\/|$)|\.[A-Za-z0-9]+$/;
const CACHED_JSON = /^\/api(?:\/[1-9][0-9]{0,9})?$/;
// Headers of Remix's response that belong to one answer, not to the cached one.
const PER_ANSWER = new Set(["content-length", "content-encoding", "transfer-encoding", "connection", "date"]);

type Candidate = { kind: "page" | "json"; key: string; version: number };
type Cached = { version: number; cachedAt: number; bytes: number; status: number };
type CachedPage = Cached & { headers: [string, string[]][]; html: Buffer[]; deflated: Buffer[] };
type CachedJson = Cached & { headers: [string, string][]; body: Buffer; encoded: Map<"br" | "gzip", Buffer> };

type App = Pick<AppHooks, "hasSessionCookie" | "pageVariant" | "contentVersion">;

export function responseCache(app: App, { maxAgeMs }: { maxAgeMs: number }) {
  const pages = new SegmentedLru<CachedPage>({ maxEntries: 300, maxBytes: 16 * 1024 * 1024 });
  const json = new SegmentedLru<CachedJson>({ maxEntries: 5_000, maxBytes: 8 * 1024 * 1024 });

  /** Answers from the cache when it can; otherwise marks the request for `record`. */
  const lookup: RequestHandler = async (req, res, next) => {
    try {
      const candidate = req.method === "GET" ? await candidateOf(req) : null;
      if (!candidate) return next();
      const store = candidate.kind === "page" ? pages : json;
      const cached = store.get(candidate.key);
      if (cached && cached.version === candidate.version && Date.now() - cached.cachedAt < maxAgeMs) {
        if (candidate.kind === "page") sendPage(req, res, cached as CachedPage);
        else sendJson(req, res, cached as CachedJson);
        return;
      }
      if (cached) store.delete(candidate.key);
      res.locals.cacheCandidate = candidate;
      next();
    } catch (error) {
      next(error);
    }
  };

  async function candidateOf(req: Request): Promise<Candidate | null> {
    const cookie = req.headers.cookie;
    let kind: Candidate["kind"];
    if (CACHED_JSON.test(req.path)) {
      // The API's reads are the same for everyone; a token is checked by the route.
      if (cookie !== undefined || req.headers.authorization !== undefined) return null;
      kind = "json";
    } else {
      if (NOT_A_PAGE.test(req.path) || (await app.hasSessionCookie(cookie))) return null;
      kind = "page";
    }
    // The scheme and host: absolute URLs and HSTS depend on them.
    const variant = kind === "page" ? app.pageVariant(cookie) : "";
    const key = `${req.protocol}://${req.headers.host ?? ""} ${req.headers["x-forwarded-host"] ?? ""} ${req.url} ${variant}`;
    return { kind, key, version: await app.contentVersion() };
  }

  /**
   * For a request `lookup` marked: watches what Remix writes (its headers are all set by
   * the first write), and once the response is complete caches it if anybody may be given it.
   */
  const record: RequestHandler = (_req, res, next) => {
    const candidate = res.locals.cacheCandidate as Candidate | undefined;
    if (!candidate) return next();
    const chunks: Buffer[] = [];
    let headers: [string, string][] | null = null;
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    const take = (chunk: unknown) => {
      headers ??= snapshot(res);
      if (chunk !== undefined && chunk !== null && typeof chunk !== "function") chunks.push(Buffer.from(chunk as Uint8Array));
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => (take(chunk), write(chunk, ...rest))) as Response["write"];
    res.end = ((...args: unknown[]) => {
      take(args[0]);
      if (headers) keep(candidate, res, headers, Buffer.concat(chunks));
      return end(...args);
    }) as Response["end"];
    next();
  };

  function keep(candidate: Candidate, res: Response, headers: [string, string][], body: Buffer) {
    if (res.statusCode !== 200 || body.byteLength === 0 || headers.some(([name]) => name === "set-cookie")) return;
    const header = (name: string) => headers.find(([key]) => key === name)?.[1] ?? "";
    // Pages: documents the app marked public (resource routes, such as images, answer for themselves).
    if (candidate.kind === "page" && !(header("content-type").startsWith("text/html") && /(^|[\s,])public([\s,]|$)/.test(header("cache-control")))) return;
    const base = { version: candidate.version, cachedAt: Date.now(), status: res.statusCode };
    if (candidate.kind === "page") {
      const nonce = res.locals.cspNonce as string;
      const html = body
        .toString("utf8")
        .split(nonce)
        .map((part) => Buffer.from(part));
      const deflated = deflateParts(html);
      pages.set(candidate.key, {
        ...base,
        headers: headers.map(([name, value]) => [name, value.split(nonce)]),
        html,
        deflated,
        bytes: body.byteLength + deflated.reduce((sum, part) => sum + part.byteLength, 0),
      });
    } else {
      json.set(candidate.key, { ...base, headers, body, encoded: new Map(), bytes: body.byteLength });
    }
  }

  return { lookup, record };
}

/** The response's headers as Remix set them (names in lower case), before anything is sent. */
function snapshot(res: Response): [string, string][] {
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (value === undefined || PER_ANSWER.has(name)) continue;
    headers.push([name, Array.isArray(value) ? value.join(", ") : String(value)]);
  }
  return headers;
}

function sendPage(req: Request, res: Response, page: CachedPage) {
  const nonce = crypto.randomBytes(16).toString("base64"); // as app/utils/security-headers.server.ts makes them
  for (const [name, parts] of page.headers) res.setHeader(name, parts.join(nonce));
  const accepted = acceptedEncodings(req.headers["accept-encoding"]);
  if (accepted.gzip) return send(res, page.status, gzipJoined(page.html, page.deflated, Buffer.from(nonce)), "gzip");
  const html = Buffer.concat(page.html.flatMap((part, index) => (index === 0 ? [part] : [Buffer.from(nonce), part])));
  send(res, page.status, accepted.br ? compress(html, "br") : html, accepted.br ? "br" : null);
}

function sendJson(req: Request, res: Response, cached: CachedJson) {
  for (const [name, value] of cached.headers) res.setHeader(name, value);
  const encoding = cached.body.byteLength >= COMPRESS_FROM_BYTES ? preferredEncoding(req.headers["accept-encoding"]) : null;
  let body = cached.body;
  if (encoding) {
    const encoded = cached.encoded.get(encoding) ?? compress(cached.body, encoding);
    cached.encoded.set(encoding, encoded);
    body = encoded;
  }
  send(res, cached.status, body, encoding);
}

function send(res: Response, status: number, body: Buffer, encoding: string | null) {
  res.statusCode = status;
  const vary = res.getHeader("Vary");
  res.setHeader("Vary", [vary, "Accept-Encoding"].filter(Boolean).join(", "));
  if (encoding) res.setHeader("Content-Encoding", encoding);
  res.setHeader("Content-Length", body.byteLength);
  res.setHeader("Server-Timing", HIT);
  res.end(body);
}

/** As the compression middleware does it: Brotli at quality 4, else gzip. */
function compress(content: Buffer, encoding: "br" | "gzip"): Buffer {
  return encoding === "br"
    ? zlib.brotliCompressSync(content, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length,
        },
      })
    : zlib.gzipSync(content);
}

/** Brotli if the client takes it, else gzip, else none; q=0 refuses an encoding. */
export function preferredEncoding(acceptEncoding: string | undefined): "br" | "gzip" | null {
  const accepted = acceptedEncodings(acceptEncoding);
  return accepted.br ? "br" : accepted.gzip ? "gzip" : null;
}

/** Which of Brotli and gzip the client takes; q=0 refuses an encoding. */
export function acceptedEncodings(acceptEncoding: string | undefined): { br: boolean; gzip: boolean } {
  const quality = new Map<string, number>();
  for (const entry of (acceptEncoding ?? "").split(",")) {
    const [name, ...parameters] = entry.split(";").map((part) => part.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    if (name) quality.set(name, q ? Number(q.slice(2)) : 1);
  }
  const accepts = (name: string) => (quality.get(name) ?? quality.get("*") ?? 0) > 0;
  return { br: accepts("br"), gzip: accepts("gzip") };
}
