import { data, unstable_parseMultipartFormData, type UploadHandlerPart } from "@remix-run/node";
import { concatBytes, decodeUtf8, readBodyBytes } from "~/utils/request-body.server";

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
 * Forms are sent with POST from this site. Remix hands PUT, PATCH and DELETE to the same
 * action as POST, so without this check `curl -X PUT /new` would create a post.
 */
export function assertFormPost(request: Request) {
  if (request.method !== "POST") {
    throw new Response("This address takes forms sent with POST only.", {
      status: 405,
      headers: { Allow: "GET, HEAD, POST", "Content-Type": "text/plain; charset=utf-8" },
    });
  }
}

/**
 * The one way actions read a submitted form: checks the method and the origin, accepts
 * urlencoded and multipart bodies of valid UTF-8, and enforces size limits without
 * buffering more than it keeps. `fileFields` names the file inputs to keep and the byte
 * limit of each.
 */
export async function readForm(
  request: Request,
  fileFields: Record<string, number> = {},
): Promise<ReadForm> {
  assertFormPost(request);
  const declaredLength = Number(request.headers.get("Content-Length") ?? 0);
  if (declaredLength > MAX_BODY_BYTES) throw tooLarge();

  const contentType = request.headers.get("Content-Type") ?? "";
  const result: ReadForm = { formData: new FormData(), files: new Map(), oversized: new Set() };
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    const bytes = await readBodyBytes(request, { keep: MAX_TEXT_FIELD_BYTES, limit: MAX_BODY_BYTES, tooLarge });
    if (bytes === null) throw tooLarge();
    const body = decodeFormText(bytes);
    for (const [name, value] of parseUrlEncoded(body)) result.formData.append(name, value);
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
      if (size > 0 || filename) result.files.set(name, concatBytes(collected, size));
      return undefined;
    }
    return decodeFormText(concatBytes(collected, size));
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

function notUtf8() {
  return data("The form is not valid UTF-8 text.", { status: 400 });
}

function decodeFormText(bytes: Uint8Array) {
  const text = decodeUtf8(bytes);
  if (text === null) throw notUtf8();
  return text;
}

/** Like URLSearchParams, but a percent-escape that is not UTF-8 is refused, not replaced. */
function parseUrlEncoded(body: string): [string, string][] {
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, " "));
  try {
    return body
      .split("&")
      .filter(Boolean)
      .map((pair) => {
        const equals = pair.indexOf("=");
        return equals === -1 ? [decode(pair), ""] : [decode(pair.slice(0, equals)), decode(pair.slice(equals + 1))];
      });
  } catch {
    throw data("The form is not valid UTF-8 text, or has a broken %-escape.", { status: 400 });
  }
}
