// Answers kept in memory and given again without Remix: the pages that look the same to
// every visitor who is not signed in (the front page, post pages), and the JSON API's
// public reads (GET /api, GET /api/:id) asked without a cookie or token. Rendering a page
// costs ~4 ms of CPU; a kept one ~0.3 ms (docs/decisions/005-performance.md).
//
// - Never stale: each answer is tagged with the content version read before it was made
//   (bumped in the same transaction as every write that changes what pages show, by any
//   process); it is given only while that is still the version, and for 60 s at most
//   (KEPT_ANSWERS_MAX_AGE_SECONDS), so "3 hours ago" does not go stale for long.
// - Never someone else's: a page is kept, and answered from memory, only for a request
//   without a session cookie (valid or not, as Remix's own cookie parser finds it: the app's
//   hasSessionCookie), and only when the app marked it `Cache-Control: public` and set no
//   cookie; the key holds the scheme, host, URL and the cookies pages vary on
//   (PAGE_VARIANT_COOKIES).
// - Small: per worker, at most 300 pages and 16 MB, and 5,000 JSON answers and 8 MB; junk
//   URLs cannot push out what people ask for (kept-store.js).
// - Pages keep a fresh CSP nonce: kept split at the nonce, the parts compressed once, and
//   joined with a new nonce for each answer as gzip (spliced-gzip.js), even for clients that
//   also take Brotli: a few % larger than Brotli, and no compressing per answer. JSON is
//   compressed once per encoding and kept so.
import crypto from "node:crypto";
import zlib from "node:zlib";
import { KeptStore } from "./kept-store.js";
import { deflateParts, gzipJoined } from "./spliced-gzip.js";

const HIT = 'page-cache;desc="hit"';
// The compression middleware's threshold: smaller answers go out as they are.
const COMPRESS_FROM_BYTES = 1024;

// Not pages: the JSON API, built assets and other files, single-fetch data (`.data`).
const NOT_A_PAGE = /^\/(?:api|assets)(?:\/|$)|\.[A-Za-z0-9]+$/;
const KEPT_JSON = /^\/api(?:\/[1-9][0-9]{0,9})?$/;

/**
 * @typedef {{ hasSessionCookie: (cookie: string | undefined) => Promise<boolean>, pageVariant: (cookie: string | undefined) => string, contentVersion: () => Promise<number> }} App
 *   The app's functions, from the server build's entry module (app/entry.server.tsx).
 * @typedef {{ kind: "page" | "json", key: string, version: number }} Candidate
 * @typedef {{ version: number, keptAt: number, bytes: number, status: number }} Kept
 * @typedef {Kept & { headers: [string, string[]][], html: Buffer[], deflated: Buffer[] }} KeptPage
 * @typedef {Kept & { headers: [string, string][], body: Buffer, encoded: Map<string, Buffer> }} KeptJson
 */

/**
 * @param {App} app
 * @param {{ maxAgeMs: number }} options
 */
export function keptAnswers(app, { maxAgeMs }) {
  /** @type {KeptStore<KeptPage>} */
  const pages = new KeptStore({ maxEntries: 300, maxBytes: 16 * 1024 * 1024 });
  /** @type {KeptStore<KeptJson>} */
  const json = new KeptStore({ maxEntries: 5_000, maxBytes: 8 * 1024 * 1024 });

  /**
   * Answers from memory when it can; otherwise marks the request as one whose answer may be
   * kept (`res.locals.keep`), for `keep` below once Remix has answered it.
   * @type {import("express").RequestHandler}
   */
  async function answer(req, res, next) {
    try {
      const candidate = req.method === "GET" ? await candidateOf(req) : null;
      if (!candidate) return next();
      const store = candidate.kind === "page" ? pages : json;
      const kept = store.get(candidate.key);
      if (kept && kept.version === candidate.version && Date.now() - kept.keptAt < maxAgeMs) {
        if (candidate.kind === "page") sendPage(req, res, /** @type {KeptPage} */ (kept));
        else sendJson(req, res, /** @type {KeptJson} */ (kept));
        return;
      }
      if (kept) store.delete(candidate.key);
      res.locals.keep = candidate;
      next();
    } catch (error) {
      next(error);
    }
  }

  /**
   * @param {import("express").Request} req
   * @returns {Promise<Candidate | null>}
   */
  async function candidateOf(req) {
    const cookie = req.headers.cookie;
    let kind;
    if (KEPT_JSON.test(req.path)) {
      // The API's reads are the same for everyone; a token is checked by the route.
      if (cookie !== undefined || req.headers.authorization !== undefined) return null;
      kind = /** @type {const} */ ("json");
    } else {
      if (NOT_A_PAGE.test(req.path) || (await app.hasSessionCookie(cookie))) return null;
      kind = /** @type {const} */ ("page");
    }
    // The scheme and host: absolute URLs and HSTS depend on them.
    const variant = kind === "page" ? app.pageVariant(cookie) : "";
    const key = `${req.protocol}://${req.headers.host ?? ""} ${req.headers["x-forwarded-host"] ?? ""} ${req.url} ${variant}`;
    return { kind, key, version: await app.contentVersion() };
  }

  /**
   * Called with Remix's answer to a request `answer` marked: keeps it if anybody may be
   * given it, and answers what is to be sent (the same answer, its body read).
   * @param {import("express").Response} res
   * @param {Response} response
   * @returns {Promise<Response>}
   */
  async function keep(res, response) {
    /** @type {Candidate | undefined} */
    const candidate = res.locals.keep;
    if (!candidate || response.status !== 200 || !response.body || response.headers.has("Set-Cookie")) return response;
    // Pages: documents the app marked public (resource routes, such as images, answer for themselves).
    if (candidate.kind === "page" && !(isHtml(response) && /(^|[\s,])public([\s,]|$)/.test(response.headers.get("Cache-Control") ?? ""))) {
      return response;
    }
    const body = Buffer.from(await response.arrayBuffer());
    const headers = [...response.headers].filter(([name]) => name !== "content-length" && name !== "content-encoding");
    const base = { version: candidate.version, keptAt: Date.now(), status: response.status };
    if (candidate.kind === "page") {
      /** @type {string} */
      const nonce = res.locals.cspNonce;
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
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  return { answer, keep };
}

/** @param {Response} response */
function isHtml(response) {
  return response.headers.get("Content-Type")?.startsWith("text/html") === true;
}

/**
 * @param {import("express").Request} req
 * @param {import("express").Response} res
 * @param {KeptPage} page
 */
function sendPage(req, res, page) {
  const nonce = crypto.randomBytes(16).toString("base64"); // as app/utils/security-headers.server.ts makes them
  // res.set, as Remix's adapter sends headers (it adds a charset to a Content-Type without one).
  for (const [name, parts] of page.headers) res.set(name, parts.join(nonce));
  const accepted = acceptedEncodings(req.headers["accept-encoding"]);
  if (accepted.gzip) return send(res, page.status, gzipJoined(page.html, page.deflated, Buffer.from(nonce)), "gzip");
  const html = Buffer.concat(page.html.flatMap((part, index) => (index === 0 ? [part] : [Buffer.from(nonce), part])));
  send(res, page.status, accepted.br ? compress(html, "br") : html, accepted.br ? "br" : null);
}

/**
 * @param {import("express").Request} req
 * @param {import("express").Response} res
 * @param {KeptJson} kept
 */
function sendJson(req, res, kept) {
  for (const [name, value] of kept.headers) res.set(name, value);
  const encoding = kept.body.byteLength >= COMPRESS_FROM_BYTES ? preferredEncoding(req.headers["accept-encoding"]) : null;
  let body = kept.body;
  if (encoding) {
    const encoded = kept.encoded.get(encoding) ?? compress(kept.body, encoding);
    kept.encoded.set(encoding, encoded);
    body = encoded;
  }
  send(res, kept.status, body, encoding);
}

/**
 * @param {import("express").Response} res
 * @param {number} status
 * @param {Buffer} body
 * @param {string | null} encoding
 */
function send(res, status, body, encoding) {
  res.statusCode = status;
  res.setHeader("Vary", [res.getHeader("Vary"), "Accept-Encoding"].filter(Boolean).join(", "));
  if (encoding) res.setHeader("Content-Encoding", encoding);
  res.setHeader("Content-Length", body.byteLength);
  res.setHeader("Server-Timing", HIT);
  res.end(body);
}

/**
 * As the compression middleware does it: Brotli at quality 4, else gzip.
 * @param {string | Buffer} content
 * @param {"br" | "gzip"} encoding
 */
function compress(content, encoding) {
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

/**
 * Brotli if the client takes it, else gzip, else none; q=0 refuses an encoding.
 * @param {string | undefined} acceptEncoding
 * @returns {"br" | "gzip" | null}
 */
export function preferredEncoding(acceptEncoding) {
  const accepted = acceptedEncodings(acceptEncoding);
  return accepted.br ? "br" : accepted.gzip ? "gzip" : null;
}

/**
 * Which of Brotli and gzip the client takes; q=0 refuses an encoding.
 * @param {string | undefined} acceptEncoding
 */
export function acceptedEncodings(acceptEncoding) {
  /** @type {Map<string, number>} */
  const quality = new Map();
  for (const entry of (acceptEncoding ?? "").split(",")) {
    const [name, ...parameters] = entry.split(";").map((part) => part.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    if (name) quality.set(name, q ? Number(q.slice(2)) : 1);
  }
  /** @param {string} name */
  const accepts = (name) => (quality.get(name) ?? quality.get("*") ?? 0) > 0;
  return { br: accepts("br"), gzip: accepts("gzip") };
}
