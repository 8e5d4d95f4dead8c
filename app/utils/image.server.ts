import crypto from "node:crypto";
import pLimit from "p-limit";
import type Sharp from "sharp";
import { IMAGE_MAX_BYTES } from "~/utils/rules";

// sharp (libvips) is loaded by the process that decodes, on its first decode: under `npm
// start` that is the image process alone (server/image-process.ts), and the web workers never
// carry libvips.
let loaded: Promise<typeof Sharp> | undefined;
const loadSharp = () =>
  (loaded ??= import("sharp").then(({ default: sharp }) => {
    // libvips' operation cache would hold decoded images after use; uploads are one-off.
    sharp.cache(false);
    // libvips would spread one decode over every core; one thread leaves the other cores to
    // pages while an upload is shrunk (decodes wait their turn, see createDecodeQueue).
    sharp.concurrency(1);
    return sharp;
  }));

export const MAX_IMAGE_BYTES = IMAGE_MAX_BYTES;
const MAX_SIDE = 1024;
const THUMBNAIL_SIDE = 64;
// A 10 MB file can still claim billions of pixels (a decompression bomb); refuse anything
// beyond 40 megapixels before libvips allocates for it.
const MAX_INPUT_PIXELS = 40_000_000;
// Most images are decoded a strip at a time while they are shrunk, in a few tens of MB.
// Interlaced PNGs, progressive JPEGs and GIFs must be decoded whole first: a 40-megapixel
// interlaced PNG of 172 KB took 160 MB and a second of CPU. Those are held to 16 megapixels.
const MAX_WHOLE_DECODE_PIXELS = 16_000_000;
const ACCEPTED_FORMATS = new Set(["png", "jpeg", "webp", "gif"]);

// An upload waits at most this long for its turn to be decoded, then is answered 503.
const DECODE_MAX_WAIT_MS = 10_000;

export const IMAGE_CONTENT_TYPE = "image/webp";

export type ProcessedImage = {
  contentType: string;
  width: number;
  height: number;
  data: Uint8Array<ArrayBuffer>;
  thumbnail: Uint8Array<ArrayBuffer>;
  /** Content hash: the image's version in URLs and its ETag. */
  hash: string;
};

/** An upload that cannot become a post image; `status` is 400 or 413, `message` says why. */
export class ImageError extends Error {
  constructor(message: string, readonly status: 400 | 413 | 503 = 400) {
    super(message);
    this.name = "ImageError";
  }
}

const serverBusy = () =>
  new ImageError(
    "The server is busy with other images. Please try again in a moment.",
    503
  );

export function imageTooLarge() {
  return new ImageError(
    "The image is larger than 10 MB. Choose a smaller file.",
    413
  );
}

/**
 * Checks that the bytes really are a PNG, JPEG, WebP or GIF by decoding them (the name and
 * the browser's content type prove nothing), then makes the stored copy (longest side at
 * most 1024 px, aspect ratio kept) and the 64x64 thumbnail for the list, both WebP.
 * Images are resized once, here, and never on read. Decoding waits its turn in one queue
 * (`createDecodeQueue`): `uploader` names whose upload it is, so one account cannot take
 * every turn.
 */
export async function processImage(
  bytes: Uint8Array,
  { uploader }: { uploader?: number } = {}
): Promise<ProcessedImage> {
  if (bytes.byteLength === 0) throw new ImageError("The image file is empty.");
  if (bytes.byteLength > MAX_IMAGE_BYTES) throw imageTooLarge();
  return decoder(bytes, uploader ?? null);
}

/** Decodes an upload (or refuses it with an ImageError), after its turn in a queue. */
export type ImageDecoder = (bytes: Uint8Array, uploader: number | null) => Promise<ProcessedImage>;

/** In this process: plain remix-serve and `npm run dev`, which have no image process. */
export function decodeHere(queue = createDecodeQueue()): ImageDecoder {
  return (bytes, uploader) => queue.run(uploader, () => decodeImage(bytes));
}

let decoder: ImageDecoder = decodeHere();

/**
 * A decode's outcome as it crosses between processes: the image, or why not (an ImageError's
 * status and message; a 503 without a message is the busy queue's).
 */
export type DecodeOutcome = { image: ProcessedImage } | { error: { status: number; message?: string } };

/**
 * Under `npm start`, uploads are decoded in the server's one image process, at a lower CPU
 * priority, with the machine's one queue (server/image-process.ts): called once at start by
 * each web worker. The errors are made here, so that routes know them as their own class.
 */
export function decodeImagesWith(elsewhere: (bytes: Uint8Array, uploader: number | null) => Promise<DecodeOutcome>) {
  decoder = async (bytes, uploader) => {
    const outcome = await elsewhere(bytes, uploader);
    if ("image" in outcome) return outcome.image;
    const { status, message } = outcome.error;
    if (status === 503 && !message) throw serverBusy();
    if (status === 400 || status === 413 || status === 503) throw new ImageError(message ?? "", status);
    throw new Error(`The image process failed: ${message}`);
  };
}

/**
 * For the process that decodes: `decodeImage` after its turn in `queue`, as an outcome. The
 * bytes are read once the turn comes: an upload that waits, or that the queue refuses, is
 * not held twice (its sender holds it).
 */
export async function decodeOutcome(queue: ReturnType<typeof createDecodeQueue>, bytes: () => Promise<Uint8Array>, uploader: number | null): Promise<DecodeOutcome> {
  try {
    return { image: await queue.run(uploader, async () => decodeImage(await bytes())) };
  } catch (error) {
    return { error: error instanceof ImageError ? { status: error.status, message: error.message } : { status: 500, message: String(error) } };
  }
}

/** The decode itself, with no queue: `processImage` for the process that decodes. */
export async function decodeImage(bytes: Uint8Array): Promise<ProcessedImage> {
  if (bytes.byteLength === 0) throw new ImageError("The image file is empty.");
  if (bytes.byteLength > MAX_IMAGE_BYTES) throw imageTooLarge();
  return decode(await loadSharp(), bytes);
}

async function decode(sharp: typeof Sharp, bytes: Uint8Array): Promise<ProcessedImage> {
  const input = () =>
    sharp(bytes, {
      limitInputPixels: MAX_INPUT_PIXELS,
      sequentialRead: true,
      unlimited: false,
      failOn: "error",
      animated: false,
    });
  let metadata: Sharp.Metadata;
  try {
    metadata = await input().metadata();
  } catch (error) {
    throw (
      tooManyPixels(error) ??
      new ImageError(
        "That file is not an image we can read. Use a PNG, JPEG, WebP or GIF file."
      )
    );
  }
  const { format, width = 0, height = 0 } = metadata;
  if (!format || !ACCEPTED_FORMATS.has(format)) {
    throw new ImageError(
      `That file is ${
        format ? `a ${format.toUpperCase()} image` : "not an image"
      }; use a PNG, JPEG, WebP or GIF file.`
    );
  }
  if (
    (metadata.isProgressive || format === "gif") &&
    width * height > MAX_WHOLE_DECODE_PIXELS
  ) {
    const kind =
      format === "gif"
        ? "A GIF"
        : format === "png"
        ? "An interlaced PNG"
        : "A progressive JPEG";
    throw new ImageError(
      `${kind} can have at most 16 megapixels (this one has ${Math.round(
        (width * height) / 1e6
      )}). Save it as a regular image, or smaller.`
    );
  }

  try {
    // rotate() applies the EXIF orientation, so phone photos are stored upright.
    const main = await input()
      .rotate()
      .resize(MAX_SIDE, MAX_SIDE, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    // The thumbnail comes from the stored copy: a second decode of the upload would double
    // the work and the memory.
    const thumbnail = await sharp(main.data)
      .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: "cover" })
      .webp({ quality: 70 })
      .toBuffer();
    const data = new Uint8Array(main.data);
    return {
      contentType: IMAGE_CONTENT_TYPE,
      width: main.info.width,
      height: main.info.height,
      data,
      thumbnail: new Uint8Array(thumbnail),
      hash: crypto
        .createHash("sha256")
        .update(data)
        .digest("base64url")
        .slice(0, 22),
    };
  } catch (error) {
    throw (
      tooManyPixels(error) ??
      new ImageError("The image is damaged or cut off and cannot be read.")
    );
  }
}

/**
 * Decoding is the costliest thing a request can ask for (up to a second of CPU and tens of
 * MB), and it runs on libuv's thread pool, which password hashing and compression share.
 * So the process that decodes runs `atOnce` at a time (a semaphore: p-limit); a few more may
 * wait their turn for at most 10 s, and no account may hold more than three of those places
 * (running or waiting), so one account cannot fill the queue; anything beyond is answered
 * 503 at once. Four uploads at a time of a 40-megapixel image used to slow every page of
 * the site 300-fold.
 */
export function createDecodeQueue({
  atOnce = 1,
  waiting = 6,
  perUploader = 4,
  maxWaitMs = DECODE_MAX_WAIT_MS,
} = {}) {
  const decodes = pLimit(atOnce);
  /** Places (running or waiting) each account holds. */
  const held = new Map<number, number>();
  const take = (uploader: number | null) =>
    uploader !== null && held.set(uploader, (held.get(uploader) ?? 0) + 1);
  const give = (uploader: number | null) => {
    if (uploader === null) return;
    const count = (held.get(uploader) ?? 1) - 1;
    if (count > 0) held.set(uploader, count);
    else held.delete(uploader);
  };

  return {
    async run<T>(uploader: number | null, work: () => Promise<T>): Promise<T> {
      if (uploader !== null && (held.get(uploader) ?? 0) >= perUploader) {
        throw new ImageError(
          "Your other images are still being processed. Send the next one when they are done.",
          503
        );
      }
      // Counted as p-limit has them: a job just added may not have started yet.
      if (decodes.activeCount + decodes.pendingCount >= atOnce + waiting) throw serverBusy();
      take(uploader);
      let timer: NodeJS.Timeout | undefined;
      let gaveUp = false;
      try {
        // A wait that runs out leaves its place in p-limit's queue; when its turn comes it
        // does nothing and hands the turn on at once.
        const turn = decodes(async () => {
          if (gaveUp) return null;
          clearTimeout(timer);
          return { value: await work() };
        });
        const tooLong = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            gaveUp = true;
            reject(serverBusy());
          }, maxWaitMs);
        });
        const outcome = await Promise.race([turn, tooLong]);
        return (outcome as { value: T }).value;
      } finally {
        clearTimeout(timer);
        give(uploader);
      }
    },
  };
}


function tooManyPixels(error: unknown) {
  const message = error instanceof Error ? error.message : "";
  return /pixel limit/i.test(message)
    ? new ImageError(
        "The image has too many pixels (the limit is 40 megapixels)."
      )
    : null;
}

/** Shown for posts without an image: a neutral SVG, small enough to inline in memory. */
export const PLACEHOLDER_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect width="64" height="64" fill="#e8e4dc"/><path d="M14 46l12-15 9 11 6-7 9 11z" fill="#b9b1a3"/><circle cx="42" cy="22" r="5" fill="#b9b1a3"/></svg>`;
