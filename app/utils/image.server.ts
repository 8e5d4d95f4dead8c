import crypto from "node:crypto";
import sharp from "sharp";
import { IMAGE_MAX_BYTES } from "~/utils/rules";

export const MAX_IMAGE_BYTES = IMAGE_MAX_BYTES;
const MAX_SIDE = 1024;
const THUMBNAIL_SIDE = 64;
// A 10 MB file can still claim billions of pixels (a decompression bomb); refuse anything
// beyond 40 megapixels before libvips allocates for it.
const MAX_INPUT_PIXELS = 40_000_000;
const ACCEPTED_FORMATS = new Set(["png", "jpeg", "webp", "gif"]);

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
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
    this.name = "ImageError";
  }
}

export function imageTooLarge() {
  return new ImageError("The image is larger than 10 MB. Choose a smaller file.", 413);
}

/**
 * Checks that the bytes really are a PNG, JPEG, WebP or GIF by decoding them (the name and
 * the browser's content type prove nothing), then makes the stored copy (longest side at
 * most 1024 px, aspect ratio kept) and the 64x64 thumbnail for the list, both WebP.
 * Images are resized once, here, and never on read.
 */
export async function processImage(bytes: Uint8Array): Promise<ProcessedImage> {
  if (bytes.byteLength === 0) throw new ImageError("The image file is empty.");
  if (bytes.byteLength > MAX_IMAGE_BYTES) throw imageTooLarge();

  const input = () =>
    sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error", animated: false });
  let format: string | undefined;
  try {
    ({ format } = await input().metadata());
  } catch (error) {
    throw tooManyPixels(error) ?? new ImageError("That file is not an image we can read. Use a PNG, JPEG, WebP or GIF file.");
  }
  if (!format || !ACCEPTED_FORMATS.has(format)) {
    throw new ImageError(`That file is ${format ? `a ${format.toUpperCase()} image` : "not an image"}; use a PNG, JPEG, WebP or GIF file.`);
  }

  try {
    // rotate() applies the EXIF orientation, so phone photos are stored upright.
    const [main, thumbnail] = await Promise.all([
      input()
        .rotate()
        .resize(MAX_SIDE, MAX_SIDE, { fit: "inside", withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true }),
      input().rotate().resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: "cover" }).webp({ quality: 70 }).toBuffer(),
    ]);
    const data = new Uint8Array(main.data);
    return {
      contentType: IMAGE_CONTENT_TYPE,
      width: main.info.width,
      height: main.info.height,
      data,
      thumbnail: new Uint8Array(thumbnail),
      hash: crypto.createHash("sha256").update(data).digest("base64url").slice(0, 22),
    };
  } catch (error) {
    throw tooManyPixels(error) ?? new ImageError("The image is damaged or cut off and cannot be read.");
  }
}

function tooManyPixels(error: unknown) {
  const message = error instanceof Error ? error.message : "";
  return /pixel limit/i.test(message)
    ? new ImageError("The image has too many pixels (the limit is 40 megapixels).")
    : null;
}

/** Shown for posts without an image: a neutral SVG, small enough to inline in memory. */
export const PLACEHOLDER_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect width="64" height="64" fill="#e8e4dc"/><path d="M14 46l12-15 9 11 6-7 9 11z" fill="#b9b1a3"/><circle cx="42" cy="22" r="5" fill="#b9b1a3"/></svg>`;
