import { data, unstable_parseMultipartFormData, type UploadHandlerPart } from "@remix-run/node";

// Text fields are far below this (a post's text is at most 100,000 characters); anything
// larger is refused without being kept in memory.
const MAX_TEXT_FIELD_BYTES = 1024 * 1024;
// Ceiling for the whole body, whatever its fields: beyond it the request is cut off.
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export type ReadForm = {
  /** Every text field, as strings. */
  formData: FormData;
  /** The non-empty files of the fields named in `fileFields`. */
  files: Map<string, Uint8Array>;
  /** Fields (text or file) whose value went over its limit and was dropped. */
  oversized: Set<string>;
};

/**
 * Rejects a state-changing request that a page on another site made the browser send.
 * SameSite=Lax cookies already keep most of those out; this also covers top-level POSTs
 * and same-site subdomains. Browsers send Origin (and Sec-Fetch-Site) with every POST;
 * clients that send neither (curl, scripts) cannot carry a victim's cookie anyway.
 */
export function assertSameOrigin(request: Request) {
  if (request.method === "GET" || request.method === "HEAD") return;
  const fetchSite = request.headers.get("Sec-Fetch-Site");
  const origin = request.headers.get("Origin");
  const sameSite = fetchSite === null || fetchSite === "same-origin" || fetchSite === "none";
  if (sameSite && (origin === null || isOwnOrigin(origin, request))) return;
  throw data("This form was sent from another site, so it was refused.", { status: 403 });
}

function isOwnOrigin(origin: string, request: Request) {
  const allowed = (process.env.ORIGIN ?? "").split(",").map((value) => value.trim());
  if (allowed.includes(origin)) return true;
  try {
    // Compare hosts, not schemes: behind a TLS-terminating proxy the app sees http.
    return new URL(origin).host === new URL(request.url).host;
  } catch {
    return false;
  }
}

/**
 * The one way actions read a submitted form: checks the origin, accepts urlencoded and
 * multipart bodies, and enforces size limits without buffering more than it keeps.
 * `fileFields` names the file inputs to keep and the byte limit of each.
 */
export async function readForm(
  request: Request,
  fileFields: Record<string, number> = {},
): Promise<ReadForm> {
  assertSameOrigin(request);
  const declaredLength = Number(request.headers.get("Content-Length") ?? 0);
  if (declaredLength > MAX_BODY_BYTES) throw tooLarge();

  const contentType = request.headers.get("Content-Type") ?? "";
  const result: ReadForm = { formData: new FormData(), files: new Map(), oversized: new Set() };
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    const body = await readCapped(request, MAX_TEXT_FIELD_BYTES);
    if (body === null) throw tooLarge();
    for (const [name, value] of new URLSearchParams(body)) result.formData.append(name, value);
    return result;
  }
  if (!contentType.startsWith("multipart/form-data")) {
    throw data("Send the form as application/x-www-form-urlencoded or multipart/form-data.", {
      status: 415,
    });
  }

  let bodyBytes = 0;
  const handlePart = async ({ name, filename, data: chunks }: UploadHandlerPart) => {
    const isFile = typeof filename === "string";
    const limit = isFile ? fileFields[name] : MAX_TEXT_FIELD_BYTES;
    const collected: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of chunks) {
      bodyBytes += chunk.byteLength;
      if (bodyBytes > MAX_BODY_BYTES) throw tooLarge();
      size += chunk.byteLength;
      // Keep reading past a limit (to reach the fields after it) but stop keeping bytes.
      if (limit !== undefined && size <= limit) collected.push(chunk);
    }
    if (limit === undefined) return undefined; // a file input we did not ask for
    if (size > limit) {
      result.oversized.add(name);
      return undefined;
    }
    if (isFile) {
      // An empty file input (no file chosen) arrives as a nameless zero-byte part.
      if (size > 0 || filename) result.files.set(name, concat(collected, size));
      return undefined;
    }
    return new TextDecoder().decode(concat(collected, size));
  };

  try {
    const parsed = await unstable_parseMultipartFormData(request, handlePart);
    for (const [name, value] of parsed) if (typeof value === "string") result.formData.append(name, value);
  } catch (error) {
    if (error instanceof Response || isDataResponse(error)) throw error;
    throw data("The form data was cut off or malformed. Please send it again.", { status: 400 });
  }
  return result;
}

function tooLarge() {
  return data("The request is too large. Images may be at most 10 MB.", { status: 413 });
}

function isDataResponse(error: unknown) {
  return typeof error === "object" && error !== null && (error as { type?: unknown }).type === "DataWithResponseInit";
}

function concat(chunks: Uint8Array[], size: number) {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** The body as text, or null when it is longer than `limit` bytes. */
async function readCapped(request: Request, limit: number): Promise<string | null> {
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return new TextDecoder().decode(concat(chunks, size));
}
