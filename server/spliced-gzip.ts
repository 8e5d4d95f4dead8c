// A kept page is the same for everybody but its CSP nonce, which is new for every answer.
// Compressing the whole page again for each answer was most of what a kept page cost
// (Brotli: ~0.5 ms of a ~1.2 ms answer). Instead the parts between the nonces are
// compressed once, when the page is kept, each ending on a deflate block boundary; an
// answer is those blocks with the nonce between them as a stored (uncompressed) block,
// inside one ordinary gzip member whose checksum is worked out over the joined text.
// Any gzip decoder reads it: it is one valid deflate stream (RFC 1951, 1952).
import zlib from "node:zlib";

// Magic, deflate, no flags, no time, no extra flags, OS "unknown".
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
const MAX_STORED_BLOCK = 65_535;

/**
 * Compresses each part on its own; every part but the last ends with a full flush, so the
 * next block starts on a byte boundary with nothing to look back at.
 */
export function deflateParts(parts: Buffer[]): Buffer[] {
  return parts.map((part, index) =>
    zlib.deflateRawSync(part, { finishFlush: index < parts.length - 1 ? zlib.constants.Z_FULL_FLUSH : zlib.constants.Z_FINISH }),
  );
}

/**
 * The gzip of `parts` joined with `joiner` (at most 65,535 bytes: one stored block), from
 * `deflated` (deflateParts(parts)).
 */
export function gzipJoined(parts: Buffer[], deflated: Buffer[], joiner: Buffer): Buffer {
  if (joiner.byteLength > MAX_STORED_BLOCK) throw new RangeError("The joiner must fit one stored block.");
  const stored = Buffer.alloc(5 + joiner.byteLength);
  // BFINAL 0, BTYPE 00 (stored), padded to the byte; then LEN and its one's complement.
  stored.writeUInt16LE(joiner.byteLength, 1);
  stored.writeUInt16LE(~joiner.byteLength & 0xffff, 3);
  joiner.copy(stored, 5);

  const chunks: Buffer[] = [GZIP_HEADER];
  let crc = 0;
  let size = 0;
  for (let index = 0; index < parts.length; index++) {
    if (index > 0) {
      chunks.push(stored);
      crc = zlib.crc32(joiner, crc);
      size += joiner.byteLength;
    }
    chunks.push(deflated[index]);
    // Node 20's crc32 answers 0 for no bytes after some running values: skip those.
    if (parts[index].byteLength > 0) crc = zlib.crc32(parts[index], crc);
    size += parts[index].byteLength;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  chunks.push(trailer);
  return Buffer.concat(chunks);
}
