// Requests no browser sends, which would otherwise reach Remix and end as a 500 there:
// a target that is not a path (`GET http://host/`, `GET *`), a Host that is not a host name
// (`exa mple`, `[::1`, `:99999`), the methods the Fetch API refuses to carry, and a path
// whose percent-encoding does not decode (`/%`, `/%E0%A4%A`). Each gets a 4xx that says what
// was wrong.

import type { RequestHandler } from "express";

const PLAIN = "text/plain; charset=utf-8";

// TRACE would echo the request (cookies included) back; CONNECT and TRACK are no more ours.
const REFUSED_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);

// A host name, IPv4 or bracketed IPv6 address, and an optional port: the characters the
// URL standard accepts in a host, before it checks more closely (see isHost).
const HOST = /^(?:[A-Za-z0-9._~!$&'()*+,;=-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$/;

export function isHost(value: string | undefined): boolean {
  if (value === undefined) return true; // HTTP/1.0 without Host: Node answers HTTP/1.1 without it with 400 itself
  const match = HOST.exec(value);
  if (!match || (match[1] !== undefined && Number(match[1]) > 65535)) return false;
  try {
    new URL(`http://${value}/`);
    return true;
  } catch {
    return false; // "999.999.999.999", "[1:2:3]"...
  }
}

const BAD_PATH = "The address is not valid: a % in it must start an escape such as %20.";
/**
 * Where a page request with an undecodable path is handed to Remix: an address only the
 * catch-all route claims, whose loader answers 400 with the reason in the load context
 * (app/routes/$.tsx). So no other route's loader runs for it, and the page is the app's own.
 */
export const BAD_PATH_ADDRESS = "/-/bad-path";

/**
 * False when the path's percent-encoding does not decode as UTF-8 (a stray `%`, a cut-off
 * or invalid byte sequence): Express and Remix would throw on it.
 */
export function decodesAsPath(path: string): boolean {
  if (!path.includes("%")) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export const refuseMalformedRequests: RequestHandler = (req, res, next) => {
  if (REFUSED_METHODS.has(req.method)) {
    res.status(405).set({ Allow: "GET, HEAD, POST", "Content-Type": PLAIN }).end(`${req.method} is not a method this site takes.`);
    return;
  }
  if (!req.url.startsWith("/")) {
    res.status(400).set("Content-Type", PLAIN).end("The request target must be a path on this site, such as /.");
    return;
  }
  // X-Forwarded-Host counts even from an untrusted client: Remix's Express adapter takes
  // the port from it whatever `trust proxy` says.
  const forwardedHost = req.get("X-Forwarded-Host")?.split(",")[0]?.trim();
  if (!isHost(req.get("Host")) || (forwardedHost && !isHost(forwardedHost))) {
    res.status(400).set("Content-Type", PLAIN).end("The Host header is not a host name.");
    return;
  }
  const query = req.url.indexOf("?");
  const path = query === -1 ? req.url : req.url.slice(0, query);
  if (!decodesAsPath(path)) {
    // The API's own envelope under /api (as it would have routed it: case ignored)...
    if (/^\/api(?:\/|$)/i.test(path)) {
      res.status(400).json({ status: "failed", reason: BAD_PATH });
      return;
    }
    // ...and elsewhere the app's 400 page (a single-fetch data request stays one).
    req.url = req.originalUrl = `${BAD_PATH_ADDRESS}${path.endsWith(".data") ? ".data" : ""}`;
    res.locals.badPath = BAD_PATH;
  }
  next();
};
