import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { createDecodeQueue, ImageError, processImage } from "~/utils/image.server";
import { jpegImage, pngImage } from "../support/images";

async function size(bytes: Uint8Array) {
  const { width, height, format } = await sharp(bytes).metadata();
  return { width, height, format };
}

async function refusal(bytes: Uint8Array) {
  const error = await processImage(bytes).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ImageError);
  return error as ImageError;
}

describe("the image pipeline", () => {
  it("shrinks the longest side to 1024 px, keeping the aspect ratio, as WebP", async () => {
    const image = await processImage(await jpegImage(3000, 1500));
    expect(await size(image.data)).toEqual({ width: 1024, height: 512, format: "webp" });
    expect([image.width, image.height]).toEqual([1024, 512]);
    expect(image.contentType).toBe("image/webp");
  });

  it("never enlarges a small image", async () => {
    const image = await processImage(await pngImage(300, 400));
    expect(await size(image.data)).toMatchObject({ width: 300, height: 400 });
  });

  it("makes a 64x64 thumbnail", async () => {
    const image = await processImage(await pngImage(1200, 300));
    expect(await size(image.thumbnail)).toEqual({ width: 64, height: 64, format: "webp" });
  });

  it("accepts GIF and WebP too", async () => {
    const gif = new Uint8Array(await sharp({ create: { width: 50, height: 40, channels: 3, background: "#123456" } }).gif().toBuffer());
    const webp = new Uint8Array(await sharp({ create: { width: 50, height: 40, channels: 3, background: "#654321" } }).webp().toBuffer());
    expect((await processImage(gif)).width).toBe(50);
    expect((await processImage(webp)).width).toBe(50);
  });

  it("gives the same hash to the same image and another to a different one", async () => {
    const one = await processImage(await pngImage(100, 100, "#ff0000"));
    const again = await processImage(await pngImage(100, 100, "#ff0000"));
    const other = await processImage(await pngImage(100, 100, "#00ff00"));
    expect(one.hash).toBe(again.hash);
    expect(one.hash).not.toBe(other.hash);
  });

  it("refuses what is not a PNG, JPEG, WebP or GIF, judging by the bytes", async () => {
    expect((await refusal(new Uint8Array())).message).toBe("The image file is empty.");
    expect((await refusal(new TextEncoder().encode("GIF89a but not really"))).status).toBe(400);
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect((await refusal(svg)).message).toMatch(/SVG image; use a PNG, JPEG, WebP or GIF file/);
    const tiff = new Uint8Array(await sharp({ create: { width: 10, height: 10, channels: 3, background: "#000" } }).tiff().toBuffer());
    expect((await refusal(tiff)).message).toMatch(/TIFF image/);
  });

  it("refuses a truncated image", async () => {
    const whole = await jpegImage(800, 600);
    expect((await refusal(whole.slice(0, whole.length / 2))).message).toMatch(/damaged or cut off/);
  });

  it("refuses a decompression bomb before decoding it", async () => {
    const bomb = new Uint8Array(
      await sharp({ create: { width: 10_000, height: 5_000, channels: 3, background: "#fff" } }).png({ compressionLevel: 9 }).toBuffer(),
    );
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    const started = Date.now();
    expect((await refusal(bomb)).message).toMatch(/too many pixels/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("refuses more than 10 MB with status 413", async () => {
    const error = await refusal(new Uint8Array(10 * 1024 * 1024 + 1));
    expect(error.status).toBe(413);
  });
});

describe("images that must be decoded whole", () => {
  it("refuses an interlaced PNG over 16 megapixels before decoding it, quickly", async () => {
    // 40 megapixels in ~130 KB: decoded whole it took 160 MB and most of a second.
    const interlaced = new Uint8Array(await sharp({ create: { width: 8000, height: 5000, channels: 3, background: "#3a7bd5" } }).png({ progressive: true }).toBuffer());
    const started = performance.now();
    const error = await refusal(interlaced);
    expect(performance.now() - started).toBeLessThan(200);
    expect(error.message).toBe("An interlaced PNG can have at most 16 megapixels (this one has 40). Save it as a regular image, or smaller.");
  });

  it("still takes the same picture when it is not interlaced", async () => {
    const plain = new Uint8Array(await sharp({ create: { width: 8000, height: 5000, channels: 3, background: "#3a7bd5" } }).png().toBuffer());
    expect((await processImage(plain)).width).toBe(1024);
  });

  it("refuses a progressive JPEG over 16 megapixels, and takes a smaller one", async () => {
    const big = new Uint8Array(await sharp({ create: { width: 6000, height: 3000, channels: 3, background: "#d5533a" } }).jpeg({ progressive: true }).toBuffer());
    expect((await refusal(big)).message).toMatch(/^A progressive JPEG can have at most 16 megapixels/);
    const small = new Uint8Array(await sharp({ create: { width: 4000, height: 3000, channels: 3, background: "#d5533a" } }).jpeg({ progressive: true }).toBuffer());
    expect((await processImage(small)).width).toBe(1024);
  });
});

describe("the decode gate", () => {
  const later = () => {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    return { done, finish };
  };

  it("runs one decode at a time, lets a few wait in order, and answers the rest 503 at once", async () => {
    const queue = createDecodeQueue({ atOnce: 1, waiting: 2, maxWaitMs: 5_000 });
    const order: string[] = [];
    const first = later();
    const running = [
      queue.run(1, async () => (order.push("a start"), await first.done, order.push("a end"))),
      queue.run(2, async () => order.push("b")),
      queue.run(3, async () => order.push("c")),
    ];
    const refused = await queue.run(4, async () => "ran").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ImageError);
    expect((refused as ImageError).status).toBe(503);
    first.finish();
    await Promise.all(running);
    expect(order).toEqual(["a start", "a end", "b", "c"]);
  });

  it("lets one account hold only a few places, so it cannot fill the queue", async () => {
    const queue = createDecodeQueue({ atOnce: 1, waiting: 4, perUploader: 2, maxWaitMs: 5_000 });
    const first = later();
    const mine = [queue.run(7, () => first.done), queue.run(7, async () => "second")];
    const third = await queue.run(7, async () => "ran").catch((error: unknown) => error);
    expect((third as ImageError).status).toBe(503);
    expect((third as ImageError).message).toMatch(/still being processed/);
    const someoneElse = queue.run(8, async () => "ran");
    first.finish();
    expect((await Promise.all(mine))[1]).toBe("second");
    expect(await someoneElse).toBe("ran");
    // Once done, the account may send more.
    expect(await queue.run(7, async () => "next")).toBe("next");
  });

  it("gives up on a wait after its time, with a 503", async () => {
    const queue = createDecodeQueue({ atOnce: 1, waiting: 4, maxWaitMs: 50 });
    const first = later();
    const holding = queue.run(1, () => first.done);
    const waited = await queue.run(2, async () => "ran").catch((error: unknown) => error);
    expect((waited as ImageError).status).toBe(503);
    first.finish();
    await holding;
    expect(await queue.run(3, async () => "free again")).toBe("free again");
  });
});
