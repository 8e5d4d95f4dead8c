import http from "node:http";
import net from "node:net";
import zlib from "node:zlib";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { onPostgres, withTestDatabase } from "../support/database";
import { databaseSnapshot, openReadOnly } from "../support/database-snapshot";
import { HttpClient, uniqueUsername, visibleText } from "../support/http-client";
import { pngImage } from "../support/images";
import { forgeSessionCookie } from "../support/session-cookie";

// Every request here is something a browser would never send. Each must be answered, in
// time, with a status that says what was wrong (never a 500), and a refused request must
// leave the database exactly as it was. The few that are rightly accepted say so.

const SECRET = "hostile-input-current-secret";
const RETIRED_SECRET = "hostile-input-retired-secret";
const REQUEST_TIMEOUT_MS = 15_000;
const MB = 1024 * 1024;

let app: RunningApp;
let ctx: Context;

type Context = {
  /** Ada's cookie; she owns `postId`, and Bo owns `bosPostId`. */
  ada: string;
  adaName: string;
  boId: number;
  postId: number;
  bosPostId: number;
  tampered: string;
  expired: string;
  retired: string;
};

type As = "ada" | "nobody" | ((ctx: Context) => string);
type RequestSpec = {
  method?: string;
  path: string;
  /** Whose cookie goes along: Ada's unless said otherwise. */
  as?: As;
  headers?: Record<string, string>;
  /** Bytes sent with a Content-Length, or chunks sent with chunked encoding. */
  body?: Buffer | (() => AsyncIterable<Buffer>);
};
type Answer = { status: number; headers: http.IncomingHttpHeaders; text: string; ms: number };
type Case = {
  name: string;
  request: (ctx: Context) => RequestSpec | Promise<RequestSpec>;
  expect: { status: number; message?: string; location?: string; withinMs?: number };
  /** Rightly accepted: the database may change, and this checks what was stored. */
  accepted?: (answer: Answer, ctx: Context) => void | Promise<void>;
};

// ---- building requests -------------------------------------------------------------

type Part = { name: string; data: string | Buffer; filename?: string; type?: string };
const BOUNDARY = "----quill-hostile-boundary";

function multipartBody(parts: Part[], { close = true } = {}) {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename !== undefined ? `; filename="${part.filename}"` : "";
    const type = part.type ? `\r\nContent-Type: ${part.type}` : "";
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`));
    chunks.push(Buffer.from(part.data), Buffer.from("\r\n"));
  }
  if (close) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const MULTIPART = { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` };
const URLENCODED = { "Content-Type": "application/x-www-form-urlencoded" };

/** The post form as a browser sends it, as Ada unless said otherwise. */
function postForm(path: string, fields: Part[], as: As = "ada"): RequestSpec {
  return { path, as, headers: MULTIPART, body: multipartBody(fields) };
}

const fields = (values: Record<string, string>): Part[] => Object.entries(values).map(([name, data]) => ({ name, data }));

function newPost(values: Record<string, string>, extra: Part[] = []) {
  return postForm("/new", [...fields(values), ...extra]);
}

function withImage(data: Buffer, filename = "photo.png", type = "image/png") {
  return newPost({ title: `Upload ${filename}`, text: "" }, [{ name: "image", filename, type, data }]);
}

function urlencoded(path: string, body: string | Buffer, as: As = "ada"): RequestSpec {
  return { path, as, headers: URLENCODED, body: Buffer.from(body) };
}

/** A JSON request to the API, with Ada's session cookie from Quill's own origin. */
function json(method: string, path: string, body: string): RequestSpec {
  return { method, path, headers: { "Content-Type": "application/json" }, body: Buffer.from(body) };
}

function edit(ctx: Context, values: Record<string, string>) {
  return postForm(`/${ctx.postId}/edit`, fields(values));
}

// ---- images that lie ---------------------------------------------------------------

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: "#6a4c93" }, limitInputPixels: false });

/**
 * A real 20000 x 20000 PNG (400 megapixels, 50 MB of pixel data) that deflates to about
 * 50 KB: one bit per pixel, all zero. Written by hand because sharp takes seconds to
 * encode that many pixels.
 */
function pngBomb(width = 20_000, height = 20_000) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth 1, colour type 0 (grey)
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // filter byte 0 + pixels
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// A BMP header for a 1x1 picture: a format sharp does not decode.
function bmp() {
  const bytes = Buffer.alloc(58);
  bytes.write("BM");
  bytes.writeUInt32LE(58, 2);
  bytes.writeUInt32LE(54, 10);
  bytes.writeUInt32LE(40, 14);
  bytes.writeInt32LE(1, 18);
  bytes.writeInt32LE(1, 22);
  bytes.writeUInt16LE(1, 26);
  bytes.writeUInt16LE(24, 28);
  return bytes;
}

const images = {
  png: async () => Buffer.from(await pngImage(300, 200)),
  jpeg: async () => solid(300, 200).jpeg().toBuffer(),
  gif: async () => solid(40, 30).gif().toBuffer(),
  tiff: async () => solid(40, 30).tiff().toBuffer(),
  avif: async () => solid(40, 30).avif().toBuffer(),
  jpegBomb: async () => solid(8000, 8000).jpeg({ quality: 10 }).toBuffer(),
};
const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>',
);

// ---- the cases ---------------------------------------------------------------------

const TOO_LARGE = "The request is too large.";
const IMAGE_TOO_LARGE = "The image is larger than 10 MB.";
const MALFORMED = "The form data was cut off or malformed.";
const NOT_UTF8 = "The form is not valid UTF-8 text";
const NOT_AN_IMAGE = "That file is not an image we can read.";
const DAMAGED = "The image is damaged or cut off and cannot be read.";
const TOO_MANY_PIXELS = "The image has too many pixels (the limit is 40 megapixels).";
const NO_POST = "No post has that address.";
const POST_ONLY = "This address takes forms sent with POST only.";
const UNSUPPORTED = "Send the form as application/x-www-form-urlencoded or multipart/form-data.";
const DAMAGED_FORM = "The form is damaged: reload the page and try again.";
const TITLE_CONTROL = "The title cannot contain line breaks or control characters.";
const TO_LOGIN = "/login?redirectTo=%2Fnew";
const INVISIBLE_TITLE = "The title needs at least one visible character";

const cases: Case[] = [
  // Sizes
  {
    // Read up to 16 MB for the fields that come first, then the form comes back with what was typed.
    name: "a body declared larger than 16 MB",
    request: () => ({ path: "/new", headers: MULTIPART, body: Buffer.alloc(17 * MB) }),
    expect: { status: 413, message: IMAGE_TOO_LARGE },
  },
  {
    name: "a chunked body that runs past 16 MB",
    request: () => ({
      path: "/new",
      headers: MULTIPART,
      body: async function* () {
        yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n`);
        for (let i = 0; i < 20; i++) yield Buffer.alloc(MB, 0x61);
      },
    }),
    expect: { status: 413, message: IMAGE_TOO_LARGE },
  },
  { name: "10 MB of text in a title (multipart)", request: () => newPost({ title: "x".repeat(10 * MB), text: "" }), expect: { status: 413, message: "The title is far too long." } },
  { name: "10 MB of text in a title (urlencoded)", request: () => urlencoded("/new", `title=${"x".repeat(10 * MB)}&text=`), expect: { status: 413, message: TOO_LARGE } },
  { name: "2 MB of text in the text field", request: () => newPost({ title: "Long", text: "y".repeat(2 * MB) }), expect: { status: 413, message: "The text is far too long." } },
  { name: "a 201-character title", request: () => newPost({ title: "t".repeat(201), text: "" }), expect: { status: 400, message: "The title can have at most 200 characters (it has 201)." } },
  { name: "a 100,001-character text", request: () => newPost({ title: "Long", text: "z".repeat(100_001) }), expect: { status: 400, message: "The text can have at most 100,000 characters (it has 100,001)." } },
  { name: "an image over 10 MB", request: () => withImage(Buffer.alloc(10 * MB + 1)), expect: { status: 413, message: "The image is larger than 10 MB." } },

  // Broken multipart
  {
    name: "multipart cut off in the middle of a part",
    request: () => ({ path: "/new", headers: MULTIPART, body: multipartBody(fields({ title: "Cut" }), { close: false }).subarray(0, 70) }),
    expect: { status: 400, message: MALFORMED },
  },
  { name: "multipart without its closing boundary", request: () => ({ path: "/new", headers: MULTIPART, body: multipartBody(fields({ title: "Open", text: "ended" }), { close: false }) }), expect: { status: 400, message: MALFORMED } },
  { name: "multipart without a boundary parameter", request: () => ({ path: "/new", headers: { "Content-Type": "multipart/form-data" }, body: multipartBody(fields({ title: "x" })) }), expect: { status: 400, message: MALFORMED } },
  {
    name: "a part without Content-Disposition",
    // A part without a name is not a field: skipped, so the form lacks its title.
    request: () => ({ path: "/new", headers: MULTIPART, body: Buffer.from(`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nnameless\r\n--${BOUNDARY}--\r\n`) }),
    expect: { status: 400, message: "A post needs a title." },
  },
  { name: "garbage declared as multipart", request: () => ({ path: "/new", headers: MULTIPART, body: Buffer.from("this is not multipart at all") }), expect: { status: 400, message: MALFORMED } },
  { name: "an empty multipart body", request: () => ({ path: "/new", headers: MULTIPART, body: Buffer.alloc(0) }), expect: { status: 400, message: MALFORMED } },

  // Characters
  { name: "invalid UTF-8 in a multipart title", request: () => postForm("/new", [{ name: "title", data: Buffer.from([0x41, 0xff, 0xfe, 0x42]) }]), expect: { status: 400, message: NOT_UTF8 } },
  { name: "an overlong UTF-8 '/' (C0 AF)", request: () => postForm("/new", [{ name: "title", data: Buffer.from([0x2e, 0x2e, 0xc0, 0xaf, 0x65]) }]), expect: { status: 400, message: NOT_UTF8 } },
  { name: "invalid UTF-8 bytes in a urlencoded body", request: () => urlencoded("/new", Buffer.concat([Buffer.from("title=ab"), Buffer.from([0xff, 0xfe]), Buffer.from("&text=c")])), expect: { status: 400, message: NOT_UTF8 } },
  { name: "a %FF escape in a urlencoded body", request: () => urlencoded("/new", "title=ab%FF&text=c"), expect: { status: 400, message: NOT_UTF8 } },
  { name: "an escaped lone surrogate (%ED%A0%80)", request: () => urlencoded("/new", "title=%ED%A0%80&text="), expect: { status: 400, message: NOT_UTF8 } },
  { name: "a NUL character in a title", request: () => newPost({ title: "nul\u0000byte", text: "" }), expect: { status: 400, message: TITLE_CONTROL } },
  { name: "a line break in a title", request: () => newPost({ title: "two\nlines", text: "" }), expect: { status: 400, message: TITLE_CONTROL } },
  { name: "an ESC control character in a text", request: () => newPost({ title: "Colours", text: "\u001b[31mred" }), expect: { status: 400, message: "The text cannot contain control characters." } },
  // Titles nobody can see, and JSON strings that are not Unicode text (issue 13)
  { name: "a title of zero-width spaces only", request: () => newPost({ title: "\u200b\u200b\u200b", text: "invisible" }), expect: { status: 400, message: INVISIBLE_TITLE } },
  { name: "a title of direction overrides only", request: () => newPost({ title: "\u202e\u202d\u2066", text: "" }), expect: { status: 400, message: INVISIBLE_TITLE } },
  { name: "a title reversed by a right-to-left override", request: () => newPost({ title: "invoice\u202efdp.exe", text: "" }), expect: { status: 400, message: "The title cannot contain characters that override the direction of text" } },
  { name: "a zero-width title through the API", request: () => json("POST", "/api", '{"title":"\\u200b\\u2060"}'), expect: { status: 400, message: 'Invalid \\"title\\": The title needs at least one visible character' } },
  { name: "a lone surrogate in a JSON title (create)", request: () => json("POST", "/api", '{"title":"a\\ud800b","text":"x"}'), expect: { status: 400, message: 'Invalid \\"title\\": it is not valid Unicode text (it has a lone surrogate).' } },
  { name: "a lone surrogate in a JSON text (create)", request: () => json("POST", "/api", '{"title":"fine","text":"x\\udc00y"}'), expect: { status: 400, message: 'Invalid \\"text\\": it is not valid Unicode text' } },
  { name: "a lone surrogate in a JSON text (PATCH)", request: (ctx) => json("PATCH", `/api/${ctx.postId}`, '{"text":"\\udfff"}'), expect: { status: 400, message: 'Invalid \\"text\\": it is not valid Unicode text' } },
  { name: "a lone surrogate in a JSON title (PATCH)", request: (ctx) => json("PATCH", `/api/${ctx.postId}`, '{"title":"\\ud83d"}'), expect: { status: 400, message: 'Invalid \\"title\\": it is not valid Unicode text' } },
  { name: "a control character in a username", request: () => urlencoded("/signup", `username=bell%07user&password=long+enough+pw&confirmPassword=long+enough+pw`, "nobody"), expect: { status: 400, message: "A username is 3 to 32 letters, digits, _ or -." } },
  { name: "an SQL-like username at signup", request: () => urlencoded("/signup", new URLSearchParams({ username: "admin'--", password: "long enough pw", confirmPassword: "long enough pw" }).toString(), "nobody"), expect: { status: 400, message: "A username is 3 to 32 letters, digits, _ or -." } },
  { name: "an SQL-like username at login", request: () => urlencoded("/login", new URLSearchParams({ username: "' OR '1'='1' --", password: "' OR '1'='1" }).toString(), "nobody"), expect: { status: 401, message: "That username and password do not match." } },

  // Files that lie about what they are
  { name: "text named .png, sent as image/png", request: () => withImage(Buffer.from("just some words, honestly")), expect: { status: 400, message: NOT_AN_IMAGE } },
  { name: "an HTML page named .jpg, sent as image/jpeg", request: () => withImage(Buffer.from("<!doctype html><script>alert(1)</script>"), "cat.jpg", "image/jpeg"), expect: { status: 400, message: NOT_AN_IMAGE } },
  { name: "an SVG with a script, named .png", request: () => withImage(SVG), expect: { status: 400, message: "That file is a SVG image; use a PNG, JPEG, WebP or GIF file." } },
  { name: "an SVG sent as image/svg+xml", request: () => withImage(SVG, "logo.svg", "image/svg+xml"), expect: { status: 400, message: "That file is a SVG image" } },
  { name: "a TIFF renamed .png", request: async () => withImage(await images.tiff()), expect: { status: 400, message: "That file is a TIFF image" } },
  { name: "a BMP renamed .png", request: () => withImage(bmp()), expect: { status: 400, message: NOT_AN_IMAGE } },
  { name: "an AVIF renamed .png", request: async () => withImage(await images.avif()), expect: { status: 400, message: "That file is a HEIF image" } },
  { name: "a zero-byte file", request: () => withImage(Buffer.alloc(0), "empty.png"), expect: { status: 400, message: "The image file is empty." } },
  { name: "a PNG cut in half", request: async () => withImage((await images.png()).subarray(0, 300)), expect: { status: 400, message: DAMAGED } },
  { name: "a PNG signature and header only", request: async () => withImage((await images.png()).subarray(0, 33)), expect: { status: 400, message: NOT_AN_IMAGE } },
  { name: "a JPEG cut in half", request: async () => { const jpeg = await images.jpeg(); return withImage(jpeg.subarray(0, jpeg.length >> 1), "half.jpg", "image/jpeg"); }, expect: { status: 400, message: DAMAGED } },
  { name: "a decompression bomb: 20000x20000 PNG in ~50 KB", request: () => withImage(pngBomb()), expect: { status: 400, message: TOO_MANY_PIXELS, withinMs: 2000 } },
  { name: "a decompression bomb: 8000x8000 JPEG", request: async () => withImage(await images.jpegBomb(), "big.jpg", "image/jpeg"), expect: { status: 400, message: TOO_MANY_PIXELS, withinMs: 2000 } },

  // Ids that cannot name a post
  ...["-1", "0", "2147483648", "99999999999999999999", "1.5", "0x1", "1e3", "01"].map(
    (id): Case => ({ name: `post id ${id}`, request: (ctx) => ({ ...edit(ctx, { title: "x", text: "" }), path: `/${id}/edit` }), expect: { status: 404, message: NO_POST } }),
  ),
  { name: "a post id that could exist but does not", request: (ctx) => ({ ...edit(ctx, { title: "x", text: "" }), path: "/2147483647/edit" }), expect: { status: 404 } },
  { name: "a path-like address", request: () => ({ method: "GET", path: "/..%2F..%2Fetc%2Fpasswd" }), expect: { status: 404, message: NO_POST } },
  { name: "a path-like address two levels deep", request: () => ({ method: "GET", path: "/..%2F..%2Fetc/passwd" }), expect: { status: 404, message: "Nothing lives at this address." } },
  { name: "deleting somebody else's post", request: (ctx) => ({ path: `/${ctx.bosPostId}/delete`, as: "ada", headers: URLENCODED, body: Buffer.alloc(0) }), expect: { status: 403, message: "Only the person who wrote a post may delete it." } },

  // Versions
  ...["abc", "-1", "1e3", "9999999999", "1.0"].map(
    (version): Case => ({ name: `version "${version}"`, request: (ctx) => edit(ctx, { title: "x", text: "", version }), expect: { status: 400, message: DAMAGED_FORM } }),
  ),
  { name: "a stale version (0)", request: (ctx) => edit(ctx, { title: "Late", text: "", version: "0" }), expect: { status: 409, message: "saved this post while you were editing. Your changes are not saved yet." } },

  // Missing and unknown fields
  { name: "no title field", request: () => newPost({ text: "words without a title" }), expect: { status: 400, message: "A post needs a title." } },
  { name: "a signup with no fields", request: () => urlencoded("/signup", "", "nobody"), expect: { status: 400, message: "A username is 3 to 32 letters" } },
  { name: "a login without a password", request: () => urlencoded("/login", "username=someone", "nobody"), expect: { status: 400, message: "Enter your password." } },
  { name: "settings with an unknown intent", request: () => urlencoded("/settings", "intent=make-me-admin"), expect: { status: 400, message: "Unknown action." } },
  { name: "a password change without the current password", request: () => urlencoded("/settings", "intent=change-password&newPassword=another+long+one"), expect: { status: 400, message: "Enter your current password." } },

  // Methods and content types
  { name: "PUT on the new-post page", request: () => ({ ...newPost({ title: "Put", text: "" }), method: "PUT" }), expect: { status: 405, message: POST_ONLY } },
  { name: "PATCH on the edit page", request: (ctx) => ({ ...edit(ctx, { title: "Patched", text: "" }), method: "PATCH" }), expect: { status: 405, message: POST_ONLY } },
  { name: "DELETE on the delete page", request: (ctx) => ({ method: "DELETE", path: `/${ctx.postId}/delete` }), expect: { status: 405, message: POST_ONLY } },
  { name: "PUT on the login page", request: () => ({ ...urlencoded("/login", "username=a&password=b", "nobody"), method: "PUT" }), expect: { status: 405, message: POST_ONLY } },
  { name: "DELETE on logout", request: () => ({ method: "DELETE", path: "/logout", as: "ada" }), expect: { status: 405, message: POST_ONLY } },
  { name: "POST to a page without a form", request: () => urlencoded("/", "title=x"), expect: { status: 405, message: "Method not allowed" } },
  { name: "OPTIONS on the new-post page", request: () => ({ method: "OPTIONS", path: "/new", as: "ada" }), expect: { status: 405, message: "Method not allowed" } },
  { name: "a JSON body", request: () => ({ path: "/new", as: "ada", headers: { "Content-Type": "application/json" }, body: Buffer.from('{"title":"json"}') }), expect: { status: 415, message: UNSUPPORTED } },
  { name: "a text/plain body", request: () => ({ path: "/new", as: "ada", headers: { "Content-Type": "text/plain" }, body: Buffer.from("title=plain") }), expect: { status: 415, message: UNSUPPORTED } },
  { name: "an XML body", request: () => ({ path: "/new", as: "ada", headers: { "Content-Type": "application/xml" }, body: Buffer.from("<title>x</title>") }), expect: { status: 415, message: UNSUPPORTED } },
  { name: "no Content-Type at all", request: () => ({ path: "/new", as: "ada", body: Buffer.from("title=bare") }), expect: { status: 415, message: UNSUPPORTED } },

  // Cookies that do not make anyone signed in: the form is not saved, the visitor is sent to log in
  { name: "a tampered cookie", request: () => ({ ...newPost({ title: "Tampered", text: "" }), as: (ctx) => ctx.tampered }), expect: { status: 302, location: TO_LOGIN } },
  { name: "an expired cookie (signed expiry passed)", request: () => ({ ...newPost({ title: "Expired", text: "" }), as: (ctx) => ctx.expired }), expect: { status: 302, location: TO_LOGIN } },
  { name: "a cookie signed with a rotated-out secret", request: () => ({ ...newPost({ title: "Retired", text: "" }), as: (ctx) => ctx.retired }), expect: { status: 302, location: TO_LOGIN } },
  { name: "a garbage cookie on a page", request: () => ({ method: "GET", path: "/", as: () => "__quill_session=%%%%; other=%zz" }), expect: { status: 200, message: "Log in" } },
  { name: "a 20 KB cookie header", request: () => ({ method: "GET", path: "/", as: () => `__quill_session=${"a".repeat(20_000)}` }), expect: { status: 431 } },

  // Rightly accepted: odd but valid text, stored verbatim and shown escaped
  {
    name: "a path-like title and text",
    request: () => newPost({ title: "../../etc/passwd", text: "..\\..\\windows\\win.ini" }),
    expect: { status: 302 },
    accepted: async (answer) => {
      const post = await storedPost(answer);
      expect(post).toMatchObject({ title: "../../etc/passwd", text: "..\\..\\windows\\win.ini" });
    },
  },
  {
    name: "an SQL-like title",
    request: () => newPost({ title: `Robert'); DROP TABLE "Post";--`, text: "1 OR 1=1; SELECT * FROM User" }),
    expect: { status: 302 },
    accepted: async (answer) => {
      const post = await storedPost(answer);
      expect(post).toMatchObject({ title: `Robert'); DROP TABLE "Post";--`, text: "1 OR 1=1; SELECT * FROM User" });
    },
  },
  {
    name: "HTML and script in a title and text",
    request: () => newPost({ title: `"><img src=x onerror=alert(1)>`, text: "<script>alert(document.cookie)</script>" }),
    expect: { status: 302 },
    accepted: async (answer, ctx) => {
      const post = await storedPost(answer);
      expect(post.title).toBe(`"><img src=x onerror=alert(1)>`);
      const html = await (await fetch(`${app.url}/${post.id}`, { headers: { Cookie: ctx.ada } })).text();
      expect(html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
      expect(html).toContain("&lt;script&gt;alert(document.cookie)&lt;/script&gt;");
      expect(html).not.toContain("<img src=x");
      expect(html).not.toContain("<script>alert");
    },
  },
  {
    name: "unknown fields trying to set the owner, editor, version, id and image",
    request: (ctx) => newPost({ title: "Mass assignment", text: "", ownerId: String(ctx.boId), editorId: String(ctx.boId), version: "99", id: "1", imageHash: "forged" }),
    expect: { status: 302 },
    accepted: async (answer, ctx) => {
      const post = await storedPost(answer);
      expect(post).toMatchObject({ title: "Mass assignment", version: 1, imageHash: null });
      expect(post.ownerId).not.toBe(ctx.boId);
      expect(post.editorId).toBe(post.ownerId);
      expect(post.id).not.toBe(1);
    },
  },
  {
    name: "a duplicated title field (the first one counts)",
    request: () => postForm("/new", fields({ title: "First title" }).concat(fields({ title: "Second title", text: "" }))),
    expect: { status: 302 },
    accepted: async (answer) => expect((await storedPost(answer)).title).toBe("First title"),
  },
  {
    name: "no text field (a post may be just a title)",
    request: () => newPost({ title: "Only a title" }),
    expect: { status: 302 },
    accepted: async (answer) => expect(await storedPost(answer)).toMatchObject({ title: "Only a title", text: "" }),
  },
  {
    name: "a GIF renamed .png (GIF is allowed; stored as WebP)",
    request: async () => withImage(await images.gif(), "animation.png"),
    expect: { status: 302 },
    accepted: async (answer) => {
      const post = await storedPost(answer);
      const image = await fetch(`${app.url}/${post.id}/image`);
      expect(image.headers.get("Content-Type")).toBe("image/webp");
    },
  },
  {
    // Chromium sends such names as they are, quoted: they are names, not parameters.
    name: "a filename with ; and = in it (photo;1=2.png)",
    request: async () => withImage(await images.png(), "photo;1=2.png"),
    expect: { status: 302 },
    accepted: async (answer) => expect((await storedPost(answer)).imageHash).toMatch(/^[A-Za-z0-9_-]{22}$/),
  },
  {
    // Fields the form does not take are read past, never kept: 15 of 1 MB each are not an error.
    name: "15 made-up fields of 1 MB each beside a real post",
    request: () => postForm("/new", [...Array.from({ length: 15 }, (_, n) => ({ name: `junk${n}`, data: "j".repeat(MB) })), ...fields({ title: "Among the junk", text: "kept" })]),
    expect: { status: 302 },
    accepted: async (answer) => expect(await storedPost(answer)).toMatchObject({ title: "Among the junk", text: "kept" }),
  },
  {
    name: "a path-like filename on a real PNG",
    request: async () => withImage(await images.png(), "../../../../etc/passwd"),
    expect: { status: 302 },
    accepted: async (answer) => expect((await storedPost(answer)).imageHash).toMatch(/^[A-Za-z0-9_-]{22}$/),
  },
];

type StoredPost = { id: number; title: string; text: string; ownerId: number; editorId: number; version: number; imageHash: string | null };

async function storedPost(answer: Answer): Promise<StoredPost> {
  const id = Number(/^\/(\d+)$/.exec(String(answer.headers.location))?.[1]);
  const post = await withTestDatabase(app.databaseUrl, (db) =>
    db.post.findUnique({ where: { id }, select: { id: true, title: true, text: true, ownerId: true, editorId: true, version: true, imageHash: true } }),
  );
  if (!post) throw new Error(`post ${id} was not stored`);
  return post as StoredPost;
}

// ---- sending -----------------------------------------------------------------------

/**
 * One request on its own connection, exactly as built (no client-side fixing up), with a
 * deadline. The answer may arrive before the body is fully sent (a 413 or 405 does not
 * wait for it); whatever happens to the rest of the upload then does not matter.
 */
function send(spec: RequestSpec): Promise<Answer> {
  const method = spec.method ?? "POST";
  const headers: Record<string, string | number> = { ...spec.headers };
  const as = spec.as ?? "ada";
  const cookie = typeof as === "function" ? as(ctx) : as === "nobody" ? undefined : ctx[as];
  if (cookie) headers.Cookie = cookie;
  if (method !== "GET") headers.Origin = app.url;
  if (Buffer.isBuffer(spec.body)) headers["Content-Length"] = spec.body.length;
  else if (spec.body) headers["Transfer-Encoding"] = "chunked";

  const started = performance.now();
  return new Promise<Answer>((resolve, reject) => {
    const request = http.request(`${app.url}${spec.path}`, { method, headers, agent: false });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        clearTimeout(timer);
        request.destroy();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString(), ms: performance.now() - started });
      });
    });
    request.on("error", (error) => {
      if (answered) return; // the upload was cut off after the answer came
      clearTimeout(timer);
      reject(error);
    });
    void (async () => {
      try {
        if (typeof spec.body === "function") {
          for await (const chunk of spec.body()) {
            if (answered) break;
            // Wait until the server reads on, answers, or the connection goes.
            if (!request.write(chunk)) await firstOf(request, ["drain", "response", "close"]);
          }
        } else if (spec.body) {
          request.write(spec.body);
        }
        request.end();
      } catch {
        // writing after the server stopped reading; the answer (or the timeout) decides
      }
    })();
  });
}

function firstOf(emitter: http.ClientRequest, events: string[]) {
  return new Promise<void>((done) => {
    const settle = () => {
      for (const event of events) emitter.off(event, settle);
      done();
    };
    for (const event of events) emitter.once(event, settle);
  });
}

// ---- running -----------------------------------------------------------------------

const outcomes: { name: string; status: number; accepted: boolean; ms: number }[] = [];

beforeAll(async () => {
  app = await startApp({ env: { SESSION_SECRET: SECRET } });
  const ada = new HttpClient(app.url);
  const adaName = await ada.signup(uniqueUsername("ada"));
  const postId = await ada.createPost({ title: "Ada's post", text: "the original" });
  const bo = new HttpClient(app.url);
  const boName = await bo.signup(uniqueUsername("bo"));
  const bosPostId = await bo.createPost({ title: "Bo's post" });

  const [name, value] = ada.cookie!.split("=");
  const [payload, signature] = decodeURIComponent(value).split(".");
  const session = JSON.parse(Buffer.from(payload, "base64").toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...session, userId: Number(session.userId) + 1 })).toString("base64");
  const { id: boId } = await withTestDatabase(app.databaseUrl, (db) =>
    db.user.findUniqueOrThrow({ where: { usernameKey: boName.toLowerCase() }, select: { id: true } }),
  );
  ctx = {
    ada: ada.cookie!,
    adaName,
    boId,
    postId,
    bosPostId,
    tampered: `${name}=${encodeURIComponent(`${forged}.${signature}`)}`,
    expired: await forgeSessionCookie({ databaseUrl: app.databaseUrl, username: adaName, secret: SECRET, expiresAt: Date.now() - 60_000 }),
    retired: await forgeSessionCookie({ databaseUrl: app.databaseUrl, username: adaName, secret: RETIRED_SECRET }),
  };
});

afterAll(async () => {
  if (outcomes.length > 0) {
    const byStatus = new Map<number, number>();
    for (const { status } of outcomes) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const summary = [...byStatus].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(", ");
    const accepted = outcomes.filter((outcome) => outcome.accepted).length;
    console.log(`[hostile input] ${outcomes.length} cases (${outcomes.length - accepted} refused, ${accepted} rightly accepted); statuses ${summary}; slowest ${Math.max(...outcomes.map((o) => o.ms)).toFixed(0)} ms`);
  }
  if (process.env.QUILL_DEBUG) console.log(app?.output());
  await app?.stop();
});

describe("hostile input against the production build", () => {
  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases)("$name → $expect.status", async (testCase) => {
    const spec = await testCase.request(ctx);
    const before = (await databaseSnapshot(app.databaseUrl));
    const answer = await send(spec);
    outcomes.push({ name: testCase.name, status: answer.status, accepted: Boolean(testCase.accepted), ms: answer.ms });

    expect(answer.status).toBeLessThan(500);
    expect(answer.status).toBe(testCase.expect.status);
    if (testCase.expect.message) expect(visibleText(answer.text)).toContain(testCase.expect.message);
    if (testCase.expect.location) expect(answer.headers.location).toBe(testCase.expect.location);
    if (testCase.expect.withinMs) expect(answer.ms).toBeLessThan(testCase.expect.withinMs);

    if (testCase.accepted) {
      await testCase.accepted(answer, ctx);
    } else {
      expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
    }
  });

  it("is still healthy, and Ada's post is as she left it", async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const post = await withTestDatabase(app.databaseUrl, (db) =>
      db.post.findUnique({ where: { id: ctx.postId }, select: { title: true, text: true, version: true } }),
    );
    if (!onPostgres) {
      const db = openReadOnly(app.databaseFile);
      expect(db.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      db.close();
    }
    expect(post).toEqual({ title: "Ada's post", text: "the original", version: 1 });
  });
});

// Requests fetch and http.request cannot even send: written on a socket byte for byte.
const rawCases: { name: string; head: (host: string) => string; status: number }[] = [
  { name: "an absolute-form target (GET http://host/)", head: (host) => `GET http://${host}/ HTTP/1.1\r\nHost: ${host}`, status: 400 },
  { name: "an asterisk target (GET *)", head: (host) => `GET * HTTP/1.1\r\nHost: ${host}`, status: 400 },
  { name: "OPTIONS *", head: (host) => `OPTIONS * HTTP/1.1\r\nHost: ${host}`, status: 400 },
  { name: "a Host with a space (exa mple)", head: () => "GET / HTTP/1.1\r\nHost: exa mple", status: 400 },
  { name: "a Host with an open bracket ([::1)", head: () => "GET / HTTP/1.1\r\nHost: [::1", status: 400 },
  { name: "a Host that is only a port (:99999)", head: () => "GET / HTTP/1.1\r\nHost: :99999", status: 400 },
  { name: "a Host with a port past 65535", head: () => "GET / HTTP/1.1\r\nHost: localhost:99999", status: 400 },
  { name: "an X-Forwarded-Host with a port past 65535", head: (host) => `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Forwarded-Host: localhost:99999`, status: 400 },
  { name: "TRACE", head: (host) => `TRACE / HTTP/1.1\r\nHost: ${host}`, status: 405 },
  {
    name: "a form whose Origin is the Host, with another X-Forwarded-Host (Remix's own check would answer 500)",
    head: (host) =>
      `POST /login HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nX-Forwarded-Host: elsewhere.example\r\n` +
      "Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 27\r\n\r\nusername=nobody&password=pw",
    status: 403,
  },
];

function rawRequest(head: string): Promise<{ status: number; text: string }> {
  const { port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1");
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    socket.on("connect", () => socket.write(head.includes("\r\n\r\n") ? head : `${head}\r\nConnection: close\r\n\r\n`));
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), text: received });
    });
  });
}

describe("hostile request lines and headers against the production build", () => {
  it.each(rawCases)("$name → $status", async ({ head, status }) => {
    const before = await databaseSnapshot(app.databaseUrl);
    const answer = await rawRequest(head(new URL(app.url).host));
    outcomes.push({ name: head(""), status: answer.status, accepted: false, ms: 0 });
    expect(answer.status, answer.text.slice(0, 300)).toBe(status);
    expect(answer.text).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
    expect(await databaseSnapshot(app.databaseUrl)).toEqual(before);
  });
});

// A path whose percent-encoding does not decode: Express and Remix threw on it (a 500).
const badPaths: { name: string; path: string; api: boolean }[] = [
  { name: "a lone %", path: "/%", api: false },
  { name: "a % before non-hex characters", path: "/%zz", api: false },
  { name: "a cut-off UTF-8 sequence", path: "/%E0%A4%A", api: false },
  { name: "a stray % in a post's address", path: "/1%/edit", api: false },
  { name: "single-fetch data of a bad path", path: "/%.data", api: false },
  { name: "a lone % under /api", path: "/api/%", api: true },
  { name: "an invalid byte under /API", path: "/API/%FF", api: true },
];

describe("paths that do not decode, on a raw socket", () => {
  it.each(badPaths)("$name ($path) → 400", async ({ path, api }) => {
    const answer = await rawRequest(`GET ${path} HTTP/1.1\r\nHost: ${new URL(app.url).host}`);
    outcomes.push({ name: `GET ${path}`, status: answer.status, accepted: false, ms: 0 });
    expect(answer.status, answer.text.slice(0, 300)).toBe(400);
    const body = answer.text.slice(answer.text.indexOf("\r\n\r\n") + 4);
    if (api) {
      expect(answer.text).toMatch(/\r\nContent-Type: application\/json/i);
      expect(JSON.parse(body)).toEqual({ status: "failed", reason: expect.stringMatching(/% in it must start an escape/) });
    } else if (path.endsWith(".data")) {
      expect(answer.text).toMatch(/\r\nContent-Type: text\/x-script/i);
    } else {
      // The app's own error page, in the site's layout.
      expect(answer.text).toMatch(/\r\nContent-Type: text\/html/i);
      expect(visibleText(body)).toContain("That request could not be understood");
      expect(visibleText(body)).toContain("% in it must start an escape");
    }
  });

  it("a well-formed escape of % is an ordinary address (404)", async () => {
    expect((await rawRequest(`GET /%25 HTTP/1.1\r\nHost: ${new URL(app.url).host}`)).status).toBe(404);
  });
});

type Continued = { continued: boolean; status: number; ms: number; closed: boolean; text: string };

/**
 * Sends a request head with `Expect: 100-continue` and no body, as curl does before a large
 * upload, and waits for the server's word: `100 Continue` (then sends `body`, if any, and waits
 * for the final answer) or a final answer at once.
 */
function expectContinue(head: string, body?: string): Promise<Continued> {
  const { port, host } = new URL(app.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1");
    let received = "";
    let continued = false;
    let settled = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no final answer within 5 s; got ${JSON.stringify(received.slice(0, 200))}`));
    }, 5_000);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      const final = received.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, "");
      socket.destroy();
      resolve({ continued, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(final)?.[1] ?? 0), ms: performance.now() - started, closed, text: final });
    };
    socket.on("connect", () => socket.write(`${head.replace("{host}", host)}\r\nExpect: 100-continue\r\n\r\n`));
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (!continued && received.startsWith("HTTP/1.1 100 Continue\r\n\r\n")) {
        continued = true;
        if (body !== undefined) socket.write(body);
      }
      // A final answer with its whole body: as long as its Content-Length, or chunked to its last chunk.
      const final = received.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, "");
      const end = final.indexOf("\r\n\r\n");
      const length = /\r\nContent-Length: (\d+)/i.exec(final)?.[1];
      const complete = length !== undefined ? final.length >= end + 4 + Number(length) : final.endsWith("\r\n0\r\n\r\n");
      if (end !== -1 && complete && !settled) {
        settled = true;
        // Wait a moment to see whether the server closes the connection after it.
        setTimeout(() => finish(socket.readyState !== "open"), 100);
      }
    });
    socket.on("end", () => socket.end());
    socket.on("error", reject);
  });
}

describe("Expect: 100-continue, on a raw socket", () => {
  const FORM = "Content-Type: multipart/form-data; boundary=x";
  const refusals: { name: string; head: string; status: number; json?: boolean }[] = [
    { name: "a 20 MB upload to the new-post form", head: `POST /new HTTP/1.1\r\nHost: {host}\r\n${FORM}\r\nContent-Length: 20000000`, status: 413 },
    { name: "a 20 MB JSON body to the API", head: "PUT /api/1 HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 20000000", status: 413, json: true },
    {
      name: "a cross-site form post",
      head: `POST /new HTTP/1.1\r\nHost: {host}\r\nOrigin: http://evil.example\r\nSec-Fetch-Site: cross-site\r\n${FORM}\r\nContent-Length: 2000`,
      status: 403,
    },
    { name: "a form posted to an address nothing lives at", head: `POST /nothing/here HTTP/1.1\r\nHost: {host}\r\n${FORM}\r\nContent-Length: 2000`, status: 404 },
    { name: "JSON posted to an API address nothing lives at", head: "POST /api/nothing/here HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 2000", status: 404, json: true },
  ];

  it.each(refusals)("$name: $status at once, no 100 Continue, connection closed", async ({ head, status, json }) => {
    const before = await databaseSnapshot(app.databaseUrl);
    const answer = await expectContinue(head);
    outcomes.push({ name: `Expect: ${head.split("\r\n")[0]}`, status: answer.status, accepted: false, ms: answer.ms });
    expect(answer.continued).toBe(false);
    expect(answer.status, answer.text.slice(0, 300)).toBe(status);
    expect(answer.ms).toBeLessThan(2_000);
    expect(answer.text).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer.closed).toBe(true);
    expect(answer.text).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
    if (json) expect(answer.text).toMatch(/\r\nContent-Type: application\/json/i);
    expect(await databaseSnapshot(app.databaseUrl)).toEqual(before);
  });

  it("a body that will be read gets 100 Continue, and the answer once it is sent", async () => {
    const body = "username=nobody&password=not-the-password";
    const answer = await expectContinue(
      `POST /login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}`,
      body,
    );
    expect(answer.continued).toBe(true);
    // The form was read: the login failed for its username and password, not for a missing body.
    expect(answer.status, answer.text.slice(0, 300)).toBe(401);
    expect(answer.closed).toBe(false);
  });
});
