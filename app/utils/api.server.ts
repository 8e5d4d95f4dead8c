import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { isApiToken, verifyApiToken } from "~/models/api-token.server";
import { usernameKey, type SessionUser } from "~/models/user.server";
import { decodeCursor } from "~/utils/cursor.server";
import { ImageError } from "~/utils/image.server";
import { decodeUtf8, readBodyBytes } from "~/utils/request-body.server";
import { getUser } from "~/utils/session.server";

// The JSON API's plumbing: the envelope, who is asking, reading bodies, and one wrapper
// that turns every outcome (including errors thrown by shared helpers) into JSON.

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** `{"status": "ok", ...fields}` */
export function apiOk(fields: { [key: string]: Json }, init?: ResponseInit): Response {
  return Response.json({ status: "ok", ...fields }, init);
}

/** `{"status": "failed", "reason": ...}`: the only shape an API error ever has. */
export function apiError(status: number, reason: string, headers?: HeadersInit): Response {
  return Response.json({ status: "failed", reason }, { status, headers });
}

// ---- who is asking -------------------------------------------------------------------

// Scripts send a personal API token either as a bearer token or, for clients that can only
// put credentials in the URL (`http://alice:TOKEN@host`, as the tutorial's client does), as
// the password of HTTP Basic auth (RFC 7617). Never an account password: the API does no
// password check at all, so it cannot be used to guess one.
const BEARER = /^Bearer +(\S+) *$/i;
const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;
const SIGN_IN =
  'Send a personal API token (make one at /settings/tokens) as "Authorization: Bearer <token>", or with HTTP Basic auth as the password beside your username (http://you:TOKEN@host), or sign in.';

function unauthorized(reason: string, error?: "invalid_token") {
  const headers = new Headers();
  // Both schemes the API takes (RFC 9110 11.6.1: one challenge per header line).
  headers.append("WWW-Authenticate", error ? `Bearer realm="Quill", error="${error}"` : 'Bearer realm="Quill"');
  headers.append("WWW-Authenticate", 'Basic realm="Quill", charset="UTF-8"');
  return apiError(401, reason, headers);
}

const NOT_VALID = "That API token is not valid: it may have been revoked or mistyped.";

/** The username and token of a Basic credential, or null when it is not base64 of "name:token" in UTF-8. */
function basicCredentials(encoded: string): { username: string; token: string } | null {
  const decoded = decodeUtf8(Buffer.from(encoded, "base64"));
  const colon = decoded?.indexOf(":") ?? -1;
  if (decoded === null || colon < 1) return null;
  return { username: decoded.slice(0, colon), token: decoded.slice(colon + 1) };
}

/**
 * The owner of the request's token, sent as Bearer or as Basic with the owner's username. A
 * credential that is malformed, unknown, revoked or names someone else is a 401 even on a
 * public read and even when a session cookie came along: falling back to anonymous or to
 * the cookie would hide the broken credential from the script using it.
 */
async function userFromAuthorization(authorization: string): Promise<SessionUser> {
  const bearer = BEARER.exec(authorization)?.[1];
  if (bearer) {
    const user = await verifyApiToken(bearer);
    if (!user) throw unauthorized(NOT_VALID, "invalid_token");
    return user;
  }
  const basic = BASIC.exec(authorization)?.[1];
  const credentials = basic ? basicCredentials(basic) : null;
  if (!credentials) throw unauthorized(`The Authorization header is not understood. ${SIGN_IN}`, "invalid_token");
  if (!isApiToken(credentials.token)) {
    throw unauthorized(
      "HTTP Basic auth takes a personal API token as the password, never the account's password: make a token at /settings/tokens.",
      "invalid_token",
    );
  }
  const user = await verifyApiToken(credentials.token);
  if (!user) throw unauthorized(NOT_VALID, "invalid_token");
  // The same comparison as the login's: names are unique regardless of case.
  if (usernameKey(credentials.username) !== usernameKey(user.username)) {
    throw unauthorized(`That API token does not belong to "${credentials.username}": send the username of the account that made it.`, "invalid_token");
  }
  return user;
}

// Who the credentials of a request are, once apiRoute has checked them.
const credentialUsers = new WeakMap<Request, SessionUser>();

/**
 * The user making a write: the token's owner, or else the signed-in browser's. A cookie
 * (and a Basic credential a browser remembered) comes along with any request the browser
 * makes, including ones another site triggers: the server refuses those before they get
 * here (server/same-origin.ts); bearer tokens, never sent implicitly, are exempt.
 */
export async function requireApiUser(request: Request): Promise<SessionUser> {
  const checked = credentialUsers.get(request);
  if (checked) return checked;
  const authorization = request.headers.get("Authorization");
  if (authorization !== null) return userFromAuthorization(authorization);
  const user = await getUser(request);
  if (!user) throw unauthorized(`This needs an account. ${SIGN_IN}`);
  return user;
}

// ---- versions as entity tags ---------------------------------------------------------

/** A post's version as a strong entity tag (RFC 9110 8.8.3): `"3"`. */
export function versionTag(version: number): string {
  return `"${version}"`;
}

const ENTITY_TAG = /^\s*(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)/;

/**
 * The versions an If-Match header accepts: null without one, "any" for `*`, else the
 * versions its strong tags name (weak tags never match a strong comparison, RFC 9110
 * 13.1.1). A header that is not a list of entity tags is a 400.
 */
export function readIfMatch(request: Request): null | "any" | number[] {
  const header = request.headers.get("If-Match");
  if (header === null) return null;
  if (header.trim() === "*") return "any";
  const versions: number[] = [];
  let rest = header;
  while (rest.trim() !== "") {
    const match = ENTITY_TAG.exec(rest);
    if (!match) throw apiError(400, 'The If-Match header is not understood: send the ETag of the post, such as If-Match: "3".');
    if (!match[1] && /^[1-9][0-9]{0,9}$/.test(match[2])) versions.push(Number(match[2]));
    rest = rest.slice(match[0].length);
  }
  return versions;
}

/** The 412 of a write whose If-Match no longer names the post's version. */
export function preconditionFailed(current: { version: number }) {
  return apiError(
    412,
    `The post is at version ${current.version} (ETag ${versionTag(current.version)}), which If-Match does not name: it changed since you read it. Nothing was changed; fetch it again and reapply your change.`,
    { ETag: versionTag(current.version) },
  );
}

// ---- reading bodies ------------------------------------------------------------------

// A post's text is at most 100,000 characters: even all escaped as \uXXXX, well under this.
const MAX_JSON_BYTES = 1024 * 1024;
// Quill's bodies are flat objects. A megabyte of brackets parses into a value half a million
// levels deep, which anything walking it recursively (a logger, JSON.stringify) would die on.
const MAX_JSON_DEPTH = 32;

/** How deeply arrays and objects nest in JSON text (brackets inside strings do not count). */
function nestingDepth(text: string) {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (char === 0x5d || char === 0x7d) depth--;
  }
  return deepest;
}

/** The Content-Type without parameters, lower-cased: "image/png; x=y" is "image/png". */
export function mediaType(request: Request): string {
  return (request.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * The whole body, or `tooLarge()` thrown as soon as it passes `limit` bytes (or declares
 * a Content-Length over it): a streamed body is never held beyond the limit.
 */
export async function readBody(request: Request, limit: number, tooLarge: () => unknown): Promise<Uint8Array> {
  return readBodyBytes(request, { limit, tooLarge });
}

/** The body as a JSON object (unknown keys and all); anything else is a 400, 413 or 415. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  if (!/^application\/([a-z0-9.-]+\+)?json$/.test(mediaType(request))) {
    throw apiError(415, 'Send the body as JSON with "Content-Type: application/json".');
  }
  const bytes = await readBody(request, MAX_JSON_BYTES, () => apiError(413, "The JSON body is larger than 1 MB."));
  const text = decodeUtf8(bytes);
  if (text === null) throw apiError(400, "The body is not valid UTF-8 text.");
  if (nestingDepth(text) > MAX_JSON_DEPTH) throw apiError(400, `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw apiError(400, `The body is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw apiError(400, 'The body must be a JSON object, such as {"title": "Hello", "text": "First post"}.');
  }
  return value as Record<string, unknown>;
}

/** Like readJsonObject, for bodies that may be left out: no body at all reads as `{}`. */
export async function readOptionalJsonObject(request: Request): Promise<Record<string, unknown>> {
  const length = request.headers.get("Content-Length");
  const hasBody = request.headers.has("Transfer-Encoding") || (length !== null && length.trim() !== "0");
  return hasBody ? readJsonObject(request) : {};
}

// ---- pages of a list -----------------------------------------------------------------

const DEFAULT_LIMIT = 50;
// Asking for more is refused rather than quietly cut down: a client that takes a short
// page for the last one would otherwise stop early.
export const MAX_LIMIT = 200;

/** `?limit=` (1 to 200, default 50) and `?cursor=` (a "next" value) of a list; a bad one is a 400. */
export function readPageParams(request: Request): { after: number | undefined; limit: number } {
  const params = new URL(request.url).searchParams;
  const after = decodeCursor(params.get("cursor"));
  if (after === null) throw apiError(400, 'Invalid "cursor": use the "next" value of the page before.');
  const rawLimit = params.get("limit");
  const limit = rawLimit === null ? DEFAULT_LIMIT : /^[1-9][0-9]{0,2}$/.test(rawLimit) ? Number(rawLimit) : 0;
  if (limit < 1 || limit > MAX_LIMIT) throw apiError(400, `Invalid "limit": it must be a whole number from 1 to ${MAX_LIMIT}.`);
  return { after, limit };
}

/**
 * The next page as an RFC 8288 link, `</api?cursor=...>; rel="next"`, keeping the request's
 * other parameters; a reference relative to the request, so it holds behind any proxy.
 */
export function nextPageLink(request: Request, cursor: string): string {
  const url = new URL(request.url);
  url.searchParams.set("cursor", cursor);
  return `<${url.pathname}${url.search}>; rel="next"`;
}

// ---- one wrapper per route -----------------------------------------------------------

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Handler = (args: LoaderFunctionArgs | ActionFunctionArgs) => Promise<Response>;

/**
 * The loader and action of an API route: dispatches on the method (405 with Allow for the
 * rest), checks any credentials even on public reads, and turns whatever a handler or a
 * shared helper throws into the JSON envelope, so no API answer is ever an HTML page.
 * Export the result as both `loader` (GET, HEAD) and `action` (every other method).
 */
export function apiRoute(handlers: Partial<Record<Method, Handler>>) {
  const methods = Object.keys(handlers) as Method[];
  const allow = methods.flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method])).join(", ");
  return async (args: LoaderFunctionArgs | ActionFunctionArgs): Promise<Response> => {
    const { request } = args;
    let response: Response;
    try {
      // Reads are public, but broken credentials are reported, never silently ignored: on
      // every route and method, before anything else.
      const authorization = request.headers.get("Authorization");
      if (authorization !== null) credentialUsers.set(request, await userFromAuthorization(authorization));
      const method = request.method === "HEAD" ? "GET" : request.method;
      const handler = methods.includes(method as Method) ? handlers[method as Method] : undefined;
      if (!handler) {
        response = apiError(405, `${new URL(request.url).pathname} takes ${allow} requests.`, { Allow: allow });
      } else {
        response = await handler(args);
      }
    } catch (error) {
      response = await errorResponse(error);
    }
    if (!response.headers.has("Cache-Control")) response.headers.set("Cache-Control", "no-store");
    return response;
  };
}

const REASONS: Record<number, string> = {
  400: "The request could not be understood.",
  401: "This needs an account.",
  403: "You may not do that.",
  404: "Nothing lives at this address.",
  405: "This address does not take that method.",
  409: "The request conflicts with the current state of the post.",
  412: "The post changed since you read it.",
  413: "The request is too large.",
  415: "The body is not of a type this address takes.",
  503: "The server is busy. Please try again in a moment.",
};

function retryAfter(error: unknown) {
  if (error instanceof Response) return error.headers.get("Retry-After");
  if (isThrownData(error)) return new Headers(error.init?.headers).get("Retry-After");
  return null;
}

type ThrownData = { type: "DataWithResponseInit"; data: unknown; init: ResponseInit | null };

function isThrownData(error: unknown): error is ThrownData {
  return typeof error === "object" && error !== null && (error as { type?: unknown }).type === "DataWithResponseInit";
}

// Shared helpers speak Remix: requirePostId throws `data("...", {status: 404})`, others a
// plain-text Response. Their status and message are kept.
async function errorResponse(error: unknown): Promise<Response> {
  if (error instanceof ImageError) return apiError(error.status, error.message, error.status === 503 ? { "Retry-After": "5" } : undefined);
  if (error instanceof Response && error.headers.get("Content-Type")?.startsWith("application/json")) return error;
  let status = 0;
  let message = "";
  if (error instanceof Response) {
    status = error.status;
    if (error.headers.get("Content-Type")?.startsWith("text/plain")) message = await error.text().catch(() => "");
  } else if (isThrownData(error)) {
    status = error.init?.status ?? 0;
    if (typeof error.data === "string") message = error.data;
  }
  if (status >= 400 && status < 500) return apiError(status, message || REASONS[status] || `Error ${status}.`);
  if (status === 503) return apiError(503, message || REASONS[503], { "Retry-After": retryAfter(error) ?? "5" });

  console.error("[api]", error);
  return apiError(500, "Something went wrong on our side. The error has been logged; please try again.");
}
