import sharp from "sharp";

/** A real PNG of the given size, made on the fly (no binary fixtures in the repo). */
export async function pngImage(width = 320, height = 200, color = "#3a7bd5") {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: color } }).png().toBuffer());
}

export async function jpegImage(width = 640, height = 480, color = "#d5533a") {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: color } }).jpeg().toBuffer());
}

export function asBlob(bytes: Uint8Array, type = "image/png") {
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
}
