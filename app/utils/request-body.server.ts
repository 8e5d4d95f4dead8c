import { data } from "@remix-run/node";
import { env } from "~/utils/env.server";

// Reading request bodies into memory, for the forms (form.server.ts) and the JSON API
// (api.server.ts) alike, within one budget per process.

/**
 * The bytes of request bodies this process holds at once while reading them, whoever
 * sends them. Each body is limited on its own too (a text field 1 MB, a file 10 MB), but
 * many bodies at once, or many slow ones, could still fill the heap and kill the process.
 * Past this budget a request is answered 503 with Retry-After instead, and the process
 * stays up for everybody else.
 */
export const BODY_BUDGET_BYTES = env().QUILL_BODY_BUDGET_BYTES;
let budgetInUse = 0;

/** How many body bytes this process holds right now (for tests and logs). */
export function bodyBytesInUse() {
  return budgetInUse;
}

export function serverBusy() {
  return data("The server is receiving too much at once. Please try again in a few seconds.", {
    status: 503,
    headers: { "Retry-After": "5" },
  });
}

/**
 * Counts the bytes of one body against the process's budget while it is read; `release`
 * gives them back (call it once the body is parsed, in a finally).
 */
export function bodyAllowance() {
  let held = 0;
  return {
    /** Takes `bytes` more; throws 503 when the process's budget would be exceeded. */
    take(bytes: number) {
      if (budgetInUse + bytes > BODY_BUDGET_BYTES) throw serverBusy();
      budgetInUse += bytes;
      held += bytes;
    },
    release() {
      budgetInUse -= held;
      held = 0;
    },
  };
}

/**
 * The body's bytes, or `tooLarge()` thrown as soon as it passes `limit` (or declares a
 * Content-Length over it). The body is then let go without cancelling it: cancelling
 * resets the connection before the client can read the answer, and the server drains
 * what is left once the answer is sent.
 */
export async function readBodyBytes(request: Request, { limit, tooLarge }: { limit: number; tooLarge: () => unknown }): Promise<Uint8Array> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const allowance = bodyAllowance();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      size += next.value.byteLength;
      if (size > limit) throw tooLarge();
      allowance.take(next.value.byteLength);
      chunks.push(next.value);
    }
    return concatBytes(chunks, size);
  } catch (error) {
    reader.releaseLock();
    throw error;
  } finally {
    allowance.release();
  }
}

export function concatBytes(chunks: Uint8Array[], size: number) {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

// Browsers always send UTF-8; anything else would be stored as U+FFFD, silently changing
// what was sent, so callers refuse it instead.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The text, or null when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}
