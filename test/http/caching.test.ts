import http from "node:http";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { HttpClient, visibleText } from "../support/http-client";
import { withTestDatabase } from "../support/database";
import { asBlob, pngImage } from "../support/images";

// Pages and API reads kept for visitors (the response cache, server/response-cache.ts) and images answered ahead
// of Remix (server/images.ts), against the production build. Kept answers live in each
// worker's memory, so this app has one worker: the second request meets the first one's
// worker. TRUST_PROXY=1 lets the login flood come from many addresses.

let app: RunningApp;
let author: HttpClient;
beforeAll(async () => {
  // Kept answers live 10 minutes here instead of 60 s, so that slow steps (1,500 junk URLs,
  // 200 logins) on a busy machine cannot pass for an eviction; the 60 s rule has a test of its own.
  app = await startApp({ env: { WEB_CONCURRENCY: "1", TRUST_PROXY: "1", RESPONSE_CACHE_MAX_AGE_SECONDS: "600" } });
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
      db.$transaction(async (transaction) => {
        await transaction.post.update({ where: { id }, data: { title: "Renamed elsewhere" } });
        await transaction.contentVersion.update({ where: { id: 1 }, data: { version: { increment: 1 } } });
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
    expect(visibleText(await signedIn.text())).toMatch(/user_[0-9a-f]+ Settings Log out/);

    const stale = await fetch(`${app.url}/`, { headers: { Cookie: "theme=dark; __quill_session=garbage" } });
    expect(isKeptPage(stale)).toBe(false);
    // Other cookies do not matter.
    expect(isKeptPage(await fetch(`${app.url}/`, { headers: { Cookie: "theme=dark" } }))).toBe(true);
  });

  it("keeps one page per theme and time zone: visitors with the same settings share it, others never get it", async () => {
    await author.createPost({ title: "Read in many zones" });
    const settings = ["", "quill_theme=dark", "quill_tz=Asia%2FTokyo", "quill_theme=dark; quill_tz=Asia%2FTokyo", "quill_theme=light"];
    const ask = (cookie: string) => fetch(`${app.url}/`, { headers: cookie ? { Cookie: cookie } : {} });
    const pages = new Map<string, string>();
    for (const cookie of settings) {
      const first = await ask(cookie);
      expect(isKeptPage(first), `first visit with "${cookie}"`).toBe(false);
      const { html, nonce } = await nonceOf(first);
      pages.set(cookie, html.split(nonce).join("NONCE"));
    }
    // Each combination is kept now: the next visitor with it gets that page, its colours and dates.
    for (const cookie of settings) {
      const second = await ask(cookie);
      expect(isKeptPage(second), `second visit with "${cookie}"`).toBe(true);
      const { html, nonce } = await nonceOf(second);
      expect(html.split(nonce).join("NONCE")).toBe(pages.get(cookie));
    }
    expect(pages.get("")).toMatch(/<html lang="en">/);
    expect(pages.get("quill_theme=dark")).toMatch(/<html lang="en" class="dark">/);
    expect(pages.get("quill_theme=light")).toMatch(/<html lang="en" class="light">/);
    expect(pages.get("")).toMatch(/title="[^"]+ UTC">just now/);
    expect(pages.get("quill_tz=Asia%2FTokyo")).toMatch(/<html lang="en">.*title="[^"]+ \(Asia\/Tokyo\)">just now/s);
    expect(pages.get("quill_theme=dark; quill_tz=Asia%2FTokyo")).toMatch(/<html lang="en" class="dark">.*\(Asia\/Tokyo\)">just now/s);
    // Other cookies beside them do not make another copy.
    expect(isKeptPage(await ask("quill_theme=dark; other=1"))).toBe(true);
  });

  it("takes a session cookie however it is spelled for one: never answered from memory, its page never kept", async () => {
    const [name, value] = [author.cookie!.slice(0, author.cookie!.indexOf("=")), author.cookie!.slice(author.cookie!.indexOf("=") + 1)];
    // Remix's cookie parser trims names and values, so each of these signs the author in.
    const spellings = [`${name} =${value}`, `${name}\t=${value}`, `${name} = ${value}`, `theme=dark;  ${name}\t= ${value}`];
    for (const [n, cookie] of spellings.entries()) {
      // A write makes every kept page stale, so the next render of / may be kept.
      await author.createPost({ title: `Spelling ${n}` });
      const signedIn = await fetch(`${app.url}/`, { headers: { Cookie: cookie } });
      expect(isKeptPage(signedIn), JSON.stringify(cookie)).toBe(false);
      expect(visibleText(await signedIn.text()), JSON.stringify(cookie)).toMatch(/New post user_[0-9a-f]+ Settings Log out/);
      expect(signedIn.headers.get("Cache-Control")).toBe("private, no-store");
      for (let visitor = 0; visitor < 2; visitor++) {
        const anonymous = await fetch(`${app.url}/`);
        expect(visibleText(await anonymous.text()), JSON.stringify(cookie)).toMatch(/^Quill: all posts Skip to content Quill Log in Sign up Posts/);
      }
    }
  });

  it("tells caches in front: public pages for visitors, private and no-store when signed in, both varying on Cookie", async () => {
    for (const response of [await fetch(`${app.url}/`), await fetch(`${app.url}/`)]) {
      expect(response.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate");
      expect(response.headers.get("Vary")).toMatch(/(^|, )Cookie(,|$)/);
    }
    for (const [path, response] of [
      ["/ signed in", await author.get("/")],
      ["/login", await fetch(`${app.url}/login`)],
      ["/new signed in", await author.get("/new")],
    ] as const) {
      expect(response.headers.get("Cache-Control"), path).toBe("private, no-store");
      expect(response.headers.get("Vary"), path).toMatch(/(^|, )Cookie(,|$)/);
    }
  });

  it("keeps the pages people ask for through 1,500 junk query strings", async () => {
    const id = await author.createPost({ title: "Popular" });
    const popular = ["/", `/${id}`];
    for (const path of [...popular, ...popular]) await (await fetch(`${app.url}${path}`)).arrayBuffer();
    const junk = Array.from({ length: 1_500 }, (_, n) => (n % 2 ? `/?utm_source=junk${n}` : `/${id}?ref=${n}`));
    for (let start = 0; start < junk.length; start += 10) {
      await Promise.all(junk.slice(start, start + 10).map(async (path) => expect((await fetch(`${app.url}${path}`)).status).toBe(200)));
    }
    for (const path of popular) expect(isKeptPage(await fetch(`${app.url}${path}`)), path).toBe(true);
  }, 180_000);

  it("is not invalidated by bookkeeping: 200 failed logins in a row leave the front page answered from memory", async () => {
    const frontPageKept = async () => {
      const response = await fetch(`${app.url}/`);
      await response.arrayBuffer();
      return isKeptPage(response);
    };
    const count = async (table: "Throttle" | "ContentVersion") =>
      withTestDatabase(app.databaseUrl, async (db) =>
        table === "Throttle"
          ? await db.throttle.count()
          : ((await db.contentVersion.findFirst({ select: { version: true } }))?.version ?? 0),
      );
    await author.createPost({ title: "Before the failed logins" });
    expect(await frontPageKept()).toBe(false);
    expect(await frontPageKept()).toBe(true);
    const [rowsBefore, versionBefore] = [await count("Throttle"), await count("ContentVersion")];
    for (let n = 0; n < 200; n++) {
      // Each from an address and for a name of its own, so each is checked and counted.
      const login = await fetch(`${app.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { Origin: app.url, "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": `10.9.${n >> 8}.${n & 255}` },
        body: new URLSearchParams({ username: `nobody_${n}`, password: "not the password" }),
      });
      expect(login.status).toBe(401);
      if (n % 50 === 49) expect(await frontPageKept(), `after ${n + 1} failed logins`).toBe(true);
    }
    // They were written, a row per (name, address), per address and per name (the
    // account's ceiling), and changed nothing pages show.
    expect((await count("Throttle")) - rowsBefore).toBe(600);
    expect(await count("ContentVersion")).toBe(versionBefore);
  }, 120_000);

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

  it("compresses each answer the way the client takes it: gzip made once per page, else Brotli, or not at all", async () => {
    await fetch(`${app.url}/`);
    const cases: [acceptEncoding: string, encoding: string | undefined][] = [
      // A kept page's gzip is spliced from parts compressed once (server/spliced-gzip.ts).
      ["gzip, deflate, br, zstd", "gzip"],
      ["br", "br"],
      ["gzip", "gzip"],
      ["br;q=0, gzip;q=0.5", "gzip"],
      ["identity", undefined],
      ["*;q=0, identity", undefined],
    ];
    for (const [acceptEncoding, encoding] of cases) {
      const response = await rawGet("/", { "Accept-Encoding": acceptEncoding });
      expect(isKeptPage(response), acceptEncoding).toBe(true);
      expect(response.headers["content-encoding"], acceptEncoding).toBe(encoding);
      expect(response.headers.vary).toBe("Cookie, Accept-Encoding");
      expect(Number(response.headers["content-length"])).toBe(response.body.byteLength);
      const html = (
        encoding === "br" ? zlib.brotliDecompressSync(response.body) : encoding === "gzip" ? zlib.gunzipSync(response.body) : response.body
      ).toString("utf8");
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain("</html>");
      // The fresh nonce is in the page as in its policy.
      const nonce = /'nonce-([^']+)'/.exec(String(response.headers["content-security-policy"]))?.[1];
      expect(html).toContain(`nonce="${nonce}"`);
    }
  });
});

describe("kept answers' age", () => {
  it("renders a page again once it has been cached for RESPONSE_CACHE_MAX_AGE_SECONDS, even when nothing changed", async () => {
    const young = await startApp({ env: { WEB_CONCURRENCY: "1", RESPONSE_CACHE_MAX_AGE_SECONDS: "2" } });
    try {
      const kept = async (path: string) => {
        const response = await fetch(`${young.url}${path}`);
        await response.arrayBuffer();
        return isKeptPage(response);
      };
      for (const path of ["/", "/api"]) expect([await kept(path), await kept(path)], path).toEqual([false, true]);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      for (const path of ["/", "/api"]) expect([await kept(path), await kept(path)], path).toEqual([false, true]);
    } finally {
      await young.stop();
    }
  });
});

describe("API reads kept for clients without a cookie or token", () => {
  it("answers GET /api and /api/:id from memory, with the same body and headers, until a write", async () => {
    for (let n = 0; n < 8; n++) await author.createPost({ title: `A title long enough to fill the list ${n} `.padEnd(150, "-") });
    const id = await author.createPost({ title: "Kept JSON", text: "read by scripts" });
    for (const path of [`/api/${id}`, "/api"]) {
      const first = await fetch(`${app.url}${path}`);
      const second = await fetch(`${app.url}${path}`);
      expect([first.status, second.status], path).toEqual([200, 200]);
      expect([isKeptPage(first), isKeptPage(second)], path).toEqual([false, true]);
      expect(await second.json(), path).toEqual(await first.json());
      for (const header of ["Content-Type", "Cache-Control", "X-Content-Type-Options", "X-Frame-Options"]) {
        expect(second.headers.get(header), `${path} ${header}`).toBe(first.headers.get(header));
      }
    }
    // The list is over 1 KB: compressed once per encoding, and those bytes kept.
    const [br1, br2] = [await rawGet("/api", { "Accept-Encoding": "br" }), await rawGet("/api", { "Accept-Encoding": "br" })];
    expect([br1.headers["content-encoding"], br2.headers["content-encoding"]]).toEqual(["br", "br"]);
    expect(br2.body.equals(br1.body)).toBe(true);
    expect(JSON.parse(zlib.brotliDecompressSync(br1.body).toString("utf8")).data[0].id).toBe(id);

    const newer = await author.createPost({ title: "Newer than the kept list" });
    const list = await fetch(`${app.url}/api`);
    expect(isKeptPage(list)).toBe(false);
    expect(((await list.json()) as { data: { id: number }[] }).data[0].id).toBe(newer);
  });

  it("never answers a request with a token or a cookie from memory: the token is checked, the cookie ignored", async () => {
    const id = await author.createPost({ title: "Asked with credentials" });
    await fetch(`${app.url}/api/${id}`);
    expect(isKeptPage(await fetch(`${app.url}/api/${id}`))).toBe(true);
    const badToken = await fetch(`${app.url}/api/${id}`, { headers: { Authorization: "Bearer quill_not-a-real-token" } });
    expect(badToken.status).toBe(401);
    expect(isKeptPage(badToken)).toBe(false);
    const withCookie = await fetch(`${app.url}/api/${id}`, { headers: { Cookie: author.cookie! } });
    expect(withCookie.status).toBe(200);
    expect(isKeptPage(withCookie)).toBe(false);
  });
});

describe("what the server does for every other answer", () => {
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
