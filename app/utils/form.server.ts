import { Busboy } from "@fastify/busboy";
import { data } from "@remix-run/node";
import { bodyAllowance, concatBytes, decodeUtf8, readBodyBytes } from "~/utils/request-body.server";

// A kept text field is far below this (a post's text is at most 100,000 characters);
// anything larger is refused without being kept in memory.
const MAX_TEXT_FIELD_BYTES = 1024 * 1024;
// Ceiling for a whole form body. Past it the form is read no further: the fields that came
// before are kept (browsers send fields in page order, files last), so the form can come
// back with what was typed.
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Which fields a form takes: text fields by name, file fields with their byte limits. */
export type FormSpec = {
  fields: readonly string[];
  files?: Readonly<Record<string, number>>;
};

export type ReadForm = {
  /** The named text fields that were sent, as strings; nothing else. */
  formData: FormData;
  /** The non-empty files of the named file fields. */
  files: Map<string, Uint8Array>;
  /** Named fields (text or file) whose value went over its limit and was dropped. */
  oversized: Set<string>;
  /** The body went past 16 MB: everything after that point is missing. */
  cutOff: boolean;
};

/**
 * Forms are sent with POST. Remix hands PUT, PATCH and DELETE to the same action as POST,
 * so without this check `curl -X PUT /new` would create a post.
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
 * The one way actions read a submitted form: checks the method, accepts urlencoded and
 * multipart bodies of valid UTF-8, and keeps only the fields `spec` names, each within its
 * limit. Anything else (made-up fields, files nobody asked for) is read past without being
 * kept, and the bytes kept count against the process's body budget
 * (request-body.server.ts), so no number or size of fields can fill the memory.
 */
export async function readForm(request: Request, spec: FormSpec): Promise<ReadForm> {
  assertFormPost(request);
  const contentType = request.headers.get("Content-Type") ?? "";
  const result: ReadForm = { formData: new FormData(), files: new Map(), oversized: new Set(), cutOff: false };
  const wanted = new Set(spec.fields);

  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    // The forms sent this way (log in, sign up, settings) are a few hundred bytes.
    const bytes = await readBodyBytes(request, { limit: MAX_TEXT_FIELD_BYTES, tooLarge });
    for (const [name, value] of parseUrlEncoded(decodeFormText(bytes))) {
      if (wanted.has(name)) result.formData.append(name, value);
    }
    return result;
  }
  if (!contentType.startsWith("multipart/form-data")) {
    throw data("Send the form as application/x-www-form-urlencoded or multipart/form-data.", { status: 415 });
  }
  await readMultipart(request, contentType, spec, result);
  return result;
}

async function readMultipart(request: Request, contentType: string, spec: FormSpec, result: ReadForm) {
  const wanted = new Set(spec.fields);
  const fileLimits = spec.files ?? {};
  let parser: InstanceType<typeof Busboy>;
  try {
    parser = new Busboy({
      headers: { "content-type": contentType },
      // Every part is streamed to us, text or file, so that unwanted ones are never kept.
      isPartAFile: () => true,
      limits: { parts: spec.fields.length + Object.keys(fileLimits).length + 20, headerPairs: 20, fieldNameSize: 200 },
    });
  } catch {
    throw malformed();
  }

  const parts: Promise<void>[] = [];
  /** The wanted part being read right now, if any. */
  let reading: string | null = null;
  /** Bytes of wanted parts kept so far: what this body costs the process's budget. */
  let keptBytes = 0;
  parser.on("file", (name, stream, filename) => {
    const isFile = typeof filename === "string";
    const limit = isFile ? (Object.hasOwn(fileLimits, name) ? fileLimits[name] : undefined) : wanted.has(name) ? MAX_TEXT_FIELD_BYTES : undefined;
    if (limit === undefined) {
      stream.resume(); // not a field this form takes: read past it without keeping it
      return;
    }
    reading = name;
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) return; // past the limit: read on, keep nothing more
      chunks.push(chunk);
      keptBytes += chunk.byteLength;
    });
    const done = new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("end", () => {
        reading = null;
        if (size > limit) {
          result.oversized.add(name);
        } else if (isFile) {
          // An empty file input (no file chosen) arrives as a nameless zero-byte part.
          if (size > 0 || filename) result.files.set(name, concatBytes(chunks, size));
        } else {
          const text = decodeUtf8(concatBytes(chunks, size));
          if (text === null) return reject(notUtf8());
          result.formData.append(name, text);
        }
        resolve();
      });
    });
    done.catch(() => undefined); // decided below, with the others
    parts.push(done);
  });
  const finished = new Promise<void>((resolve, reject) => {
    parser.on("finish", resolve);
    parser.on("error", () => reject(malformed()));
  });
  finished.catch(() => undefined); // not awaited when the body is cut off

  // Only what is kept counts against the budget: parts that are read past cost a chunk at a time.
  const allowance = bodyAllowance();
  try {
    let size = 0;
    let counted = 0;
    const reader = request.body?.getReader();
    try {
      for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) {
        size += next.value.byteLength;
        if (size > MAX_BODY_BYTES) {
          result.cutOff = true;
          break;
        }
        if (!parser.write(next.value)) await new Promise((resolve) => parser.once("drain", resolve));
        allowance.take(keptBytes - counted);
        counted = keptBytes;
      }
    } finally {
      reader?.releaseLock();
    }
    if (result.cutOff) {
      // Let the parts that ended before the cut deliver their "end"; the one being read
      // at the cut is incomplete, so it counts as too large.
      await new Promise((resolve) => setImmediate(resolve));
      if (reading !== null) result.oversized.add(reading);
      parser.destroy();
      const settled = await Promise.race([Promise.allSettled(parts), new Promise<null>((resolve) => setImmediate(() => resolve(null)))]);
      const failure = settled?.find((outcome) => outcome.status === "rejected");
      if (failure?.status === "rejected") throw failure.reason;
      return;
    }
    parser.end();
    await finished;
    await Promise.all(parts);
  } finally {
    allowance.release();
  }
}

function tooLarge() {
  return data("The request is too large. Images may be at most 10 MB.", { status: 413 });
}

function malformed() {
  return data("The form data was cut off or malformed. Please send it again.", { status: 400 });
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
