// Requests no browser sends, which would otherwise reach Remix and end as a 500 there:
// a target that is not a path (`GET http://host/`, `GET *`), a Host that is not a host name
// (`exa mple`, `[::1`, `:99999`), and the methods the Fetch API refuses to carry. Each gets a
// 4xx that says what was wrong.

const PLAIN = "text/plain; charset=utf-8";

// TRACE would echo the request (cookies included) back; CONNECT and TRACK are no more ours.
const REFUSED_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);

// A host name, IPv4 or bracketed IPv6 address, and an optional port: the characters the
// URL standard accepts in a host, before it checks more closely (see isHost).
const HOST = /^(?:[A-Za-z0-9._~!$&'()*+,;=-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$/;

/** @param {string | undefined} value */
export function isHost(value) {
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

/** @type {import("express").RequestHandler} */
export function refuseMalformedRequests(req, res, next) {
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
  next();
}
