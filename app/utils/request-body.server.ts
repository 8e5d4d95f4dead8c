// Reading request bodies into memory, for the forms (form.server.ts) and the JSON API
// (api.server.ts) alike.

/**
 * The body's bytes, or null when it is longer than `keep`. Past `keep` it goes on reading
 * without keeping, up to `limit`: stopping early would cancel the body, which resets the
 * connection before the client can read the answer. Past `limit`, or with a declared
 * Content-Length over it, `tooLarge()` is thrown; the body is then let go without
 * cancelling, and connections.server.ts drains the rest once the answer is sent.
 */
export async function readBodyBytes(
  request: Request,
  { keep, limit, tooLarge }: { keep: number; limit: number; tooLarge: () => unknown },
): Promise<Uint8Array | null> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > limit) {
      reader.releaseLock();
      throw tooLarge();
    }
    if (size <= keep) chunks.push(next.value);
  }
  return size > keep ? null : concatBytes(chunks, size);
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
