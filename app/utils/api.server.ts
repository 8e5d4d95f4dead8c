import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { verifyApiToken } from "~/models/api-token.server";
import type { SessionUser } from "~/models/user.server";
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

const BEARER = /^Bearer +(\S+) *$/i;
const SIGN_IN =
  'Send a personal API token as "Authorization: Bearer <token>" (make one at /settings/tokens), or sign in.';

function unauthorized(reason: string, error?: "invalid_token") {
  const challenge = error ? `Bearer realm="Quill", error="${error}"` : 'Bearer realm="Quill"';
  return apiError(401, reason, { "WWW-Authenticate": challenge });
}

/**
 * The owner of the request's bearer token. A token that is malformed, unknown or revoked is
 * a 401 even when a session cookie came along: falling back to the cookie would hide the
 * broken token from the script using it.
 */
async function userFromAuthorization(authorization: string): Promise<SessionUser> {
  const token = BEARER.exec(authorization)?.[1];
  if (!token) throw unauthorized(`The Authorization header is not understood. ${SIGN_IN}`, "invalid_token");
  const user = await verifyApiToken(token);
  if (!user) throw unauthorized("That API token is not valid: it may have been revoked or mistyped.", "invalid_token");
  return user;
}

/**
 * The user making a write: the bearer token's owner, or else the signed-in browser's. A
 * cookie comes along with any request the browser makes, including ones another site
 * triggers: the server refuses those before they get here (server/same-origin.ts), and
 * tokens, never sent implicitly, are exempt.
 */
export async function requireApiUser(request: Request): Promise<SessionUser> {
  const authorization = request.headers.get("Authorization");
  if (authorization !== null) return userFromAuthorization(authorization);
  const user = await getUser(request);
  if (!user) throw unauthorized(`This needs an account. ${SIGN_IN}`);
  return user;
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
const MAX_LIMIT = 200;

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

// ---- one wrapper per route -----------------------------------------------------------

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Handler = (args: LoaderFunctionArgs | ActionFunctionArgs) => Promise<Response>;

/**
 * The loader and action of an API route: dispatches on the method (405 with Allow for the
 * rest), checks any bearer token even on public reads, and turns whatever a handler or a
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
      const method = request.method === "HEAD" ? "GET" : request.method;
      const handler = methods.includes(method as Method) ? handlers[method as Method] : undefined;
      if (!handler) {
        response = apiError(405, `${new URL(request.url).pathname} takes ${allow} requests.`, { Allow: allow });
      } else {
        const authorization = request.headers.get("Authorization");
        // Reads are public, but a broken token should be reported, not silently ignored.
        if (method === "GET" && authorization !== null) await userFromAuthorization(authorization);
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
