import http from "node:http";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { HttpClient, visibleText } from "../support/http-client";
import { withTestDatabase } from "../support/database";
import { asBlob, pngImage } from "../support/images";

// Pages kept for visitors (app/utils/page-cache.server.ts) and images answered ahead of
// Remix (app/utils/image-serving.server.ts), against the production build.

let app: RunningApp;
let author: HttpClient;
beforeAll(async () => {
  app = await startApp();
  author = new HttpClient(app.url);
  await author.signup();
});
afterAll(() => app?.stop());

type RawResponse = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

/** A GET whose body stays as sent (fetch would undo the compression). */
function rawGet(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(path, app.url), { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}

const isKeptPage = (response: Response | RawResponse) =>
  (response instanceof Response ? response.headers.get("Server-Timing") : response.headers["server-timing"]) ===
  'page-cache;desc="hit"';

/** The page's nonce, checked to be the one its Content-Security-Policy allows. */
async function nonceOf(response: Response) {
  const html = await response.text();
  const policyNonce = /'nonce-([^']+)'/.exec(response.headers.get("Content-Security-Policy") ?? "")?.[1];
  const pageNonces = new Set([...html.matchAll(/nonce="([^"]+)"/g)].map((match) => match[1]));
  expect(policyNonce).toBeTruthy();
  expect([...pageNonces]).toEqual([policyNonce]);
  return { nonce: policyNonce as string, html };
}

describe("pages kept for visitors who are not signed in", () => {
  it("answers the next visitor from memory: the same page, with a fresh nonce its CSP allows", async () => {
    const id = await author.createPost({ title: "Kept page" });
    const first = await fetch(`${app.url}/${id}`);
    const second = await fetch(`${app.url}/${id}`);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([isKeptPage(first), isKeptPage(second)]).toEqual([false, true]);
    for (const header of ["Content-Type", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Permissions-Policy"]) {
      expect(second.headers.get(header), header).toBe(first.headers.get(header));
    }
    const [a, b] = [await nonceOf(first), await nonceOf(second)];
    expect(a.nonce).not.toBe(b.nonce);
    expect(b.html.split(b.nonce).join("NONCE")).toBe(a.html.split(a.nonce).join("NONCE"));
    expect(visibleText(b.html)).toContain("Kept page");
  });

  it("shows a post to the very next visitor after it is written, or changed by another app process", async () => {
    await fetch(`${app.url}/`);
    expect(isKeptPage(await fetch(`${app.url}/`))).toBe(true);

    const id = await author.createPost({ title: "Fresh off the press" });
    const afterCreate = await fetch(`${app.url}/`);
    expect(isKeptPage(afterCreate)).toBe(false);
    expect(visibleText(await afterCreate.text())).toContain("Fresh off the press");
    expect(isKeptPage(await fetch(`${app.url}/`))).toBe(true);

    // Another app process writes to the same database: the change and the content version, in one transaction.
    await withTestDatabase(app.databaseUrl, (db) =>
      db.transaction().execute(async (transaction) => {
        await transaction.updateTable("Post").set({ title: "Renamed elsewhere" }).where("id", "=", id).execute();
        await transaction.updateTable("ContentVersion").set((eb) => ({ version: eb("version", "+", 1) })).where("id", "=", 1).execute();
      }),
    );
    const afterOutsideWrite = await fetch(`${app.url}/`);
    expect(isKeptPage(afterOutsideWrite)).toBe(false);
    const page = visibleText(await afterOutsideWrite.text());
    expect(page).toContain("Renamed elsewhere");
    expect(page).not.toContain("Fresh off the press");
  });

  it("never answers a signed-in user, or any request with a session cookie, from memory", async () => {
    await fetch(`${app.url}/`);
    expect(isKeptPage(await fetch(`${app.url}/`))).toBe(true);

    const signedIn = await author.get("/");
    expect(isKeptPage(signedIn)).toBe(false);
    expect(visibleText(await signedIn.text())).toMatch(/\[user_[0-9a-f]+\] Settings Logout/);

    const stale = await fetch(`${app.url}/`, { headers: { Cookie: "theme=dark; __quill_session=garbage" } });
    expect(isKeptPage(stale)).toBe(false);
    // Other cookies do not matter.
    expect(isKeptPage(await fetch(`${app.url}/`, { headers: { Cookie: "theme=dark" } }))).toBe(true);
  });

  it("keeps only pages that say they look the same to everyone, and only plain GETs", async () => {
    for (const path of ["/login", "/no-such-page", "/?cursor=garbage"]) {
      await fetch(`${app.url}${path}`);
      const again = await fetch(`${app.url}${path}`);
      expect(isKeptPage(again), path).toBe(false);
    }
    await fetch(`${app.url}/`);
    const head = await rawGet("/", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(isKeptPage(head)).toBe(false);
  });

  it("keeps at most 16 MB of pages: long posts push out the least recently asked for", async () => {
    // A post of 100,000 characters makes a page of over 200 KB (the text is in the HTML
    // and again in the data for the browser), so 90 of them are over 16 MB.
    const ids: number[] = [];
    for (let n = 0; n < 90; n++) ids.push(await author.createPost({ title: `Long ${n}`, text: `${n} `.padEnd(100_000, "words ") }));
    for (const id of ids) await (await fetch(`${app.url}/${id}`)).arrayBuffer();
    const stillKept = async (id: number) => {
      const response = await fetch(`${app.url}/${id}`);
      await response.arrayBuffer();
      return isKeptPage(response);
    };
    expect(await stillKept(ids[89])).toBe(true);
    expect(await stillKept(ids[0])).toBe(false);
  });

  it("compresses each answer the way the client asks: Brotli, gzip or not at all", async () => {
    await fetch(`${app.url}/`);
    const cases: [acceptEncoding: string, encoding: string | undefined][] = [
      ["gzip, deflate, br, zstd", "br"],
      ["gzip", "gzip"],
      ["br;q=0, gzip;q=0.5", "gzip"],
      ["identity", undefined],
      ["*;q=0, identity", undefined],
    ];
    for (const [acceptEncoding, encoding] of cases) {
      const response = await rawGet("/", { "Accept-Encoding": acceptEncoding });
      expect(isKeptPage(response), acceptEncoding).toBe(true);
      expect(response.headers["content-encoding"], acceptEncoding).toBe(encoding);
      expect(response.headers.vary).toBe("Accept-Encoding");
      expect(Number(response.headers["content-length"])).toBe(response.body.byteLength);
      const html = (
        encoding === "br" ? zlib.brotliDecompressSync(response.body) : encoding === "gzip" ? zlib.gunzipSync(response.body) : response.body
      ).toString("utf8");
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain("</html>");
    }
  });
});

describe("what remix-serve does for every other answer", () => {
  it("serves the build's assets with a year's immutable caching", async () => {
    const html = await (await fetch(`${app.url}/`)).text();
    const assets = [...new Set([...html.matchAll(/(?:href|src)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]))];
    expect(assets.length).toBeGreaterThan(1);
    for (const asset of assets) {
      const response = await rawGet(asset);
      expect(response.status, asset).toBe(200);
      expect(response.headers["cache-control"], asset).toBe("public, max-age=31536000, immutable");
    }
  });

  it("compresses rendered pages too, for a signed-in user", async () => {
    const cookie = author.cookie ?? "";
    const page = await rawGet("/", { Cookie: cookie, "Accept-Encoding": "gzip, deflate, br" });
    expect(isKeptPage(page)).toBe(false);
    expect(page.headers["content-encoding"]).toBe("br");
    expect(zlib.brotliDecompressSync(page.body).toString("utf8")).toContain("Settings");
  });
});

describe("images answered ahead of Remix", () => {
  let id: number;
  let hash: string;
  beforeAll(async () => {
    id = await author.createPost({ title: "Picture", image: asBlob(await pngImage(300, 200)) });
    const html = await (await fetch(`${app.url}/${id}`)).text();
    hash = /\/image\?v=([^"&]+)"/.exec(html)?.[1] ?? "";
    expect(hash).not.toBe("");
  });

  // The fast path answers the plain spelling; a trailing slash goes through Remix's route.
  const spellings = (path: string) => [path, path.replace("/image", "/image/")];

  it("serves versioned URLs as immutable, others with revalidation, and 304 from the ETag alone", async () => {
    for (const path of spellings(`/${id}/image?v=${hash}`)) {
      const image = await rawGet(path);
      expect(image.status, path).toBe(200);
      expect(image.headers["content-type"]).toBe("image/webp");
      expect(image.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(image.headers.etag).toBe(`"${hash}-full"`);
      expect(image.headers["x-content-type-options"]).toBe("nosniff");
      expect(Number(image.headers["content-length"])).toBe(image.body.byteLength);

      const revalidated = await rawGet(path, { "If-None-Match": `W/"other", "${hash}-full"` });
      expect(revalidated.status, path).toBe(304);
      expect(revalidated.body.byteLength).toBe(0);
      expect(revalidated.headers.etag).toBe(`"${hash}-full"`);
    }
    for (const path of spellings(`/${id}/image?size=thumbnail&v=old`)) {
      const thumbnail = await rawGet(path);
      expect(thumbnail.headers.etag, path).toBe(`"${hash}-thumbnail"`);
      expect(thumbnail.headers["cache-control"]).toBe("public, max-age=0, must-revalidate");
      expect((await rawGet(path, { "If-None-Match": `"${hash}-full"` })).status).toBe(200);
    }
  });

  it("gives both paths the same answers, and logs them like every other request", async () => {
    const paths = [`/${id}/image?v=${hash}`, `/${id}/image?size=thumbnail`, "/2147483000/image", `/${id}/image?v=x`];
    for (const path of paths) {
      const [fast, routed] = await Promise.all(spellings(path).map((spelling) => rawGet(spelling)));
      expect(fast.status, path).toBe(routed.status);
      expect(fast.body.equals(routed.body), path).toBe(true);
      for (const header of ["content-type", "cache-control", "etag", "x-frame-options"]) {
        expect(fast.headers[header], `${path} ${header}`).toBe(routed.headers[header]);
      }
    }
    const head = await rawGet(`/${id}/image?v=${hash}`, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.byteLength).toBe(0);
    expect(app.output()).toMatch(new RegExp(`GET /${id}/image\\?size=thumbnail 200 \\d+ - [\\d.]+ ms`));
  });
});
