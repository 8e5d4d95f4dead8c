import crypto from "node:crypto";
import http from "node:http";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, createToken, failed, ok as okBody, type Call } from "../support/api";
import { startApp, type RunningApp } from "../support/app-server";
import { withTestDatabase } from "../support/database";
import { databaseSnapshot } from "../support/database-snapshot";
import { HttpClient, uniqueUsername, visibleText } from "../support/http-client";
import { jpegImage, pngImage } from "../support/images";

// The JSON API over real HTTP, against the production build. A fresh app of its own, so
// the first test sees a truly empty database.

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

const MB = 1024 * 1024;
const EVIL = "https://evil.example";

/** A script's request (test/support/api.ts), to this file's app unless told otherwise. */
function call(path: string, options: Call = {}, baseUrl = app.url) {
  return callApi(baseUrl, path, options);
}

// Every field, asked for by name: the default is the tutorial's shape (tutorial-client.test.ts).
const ALL_FIELDS = "fields=id,owner,editor,title,text,version,createdAt,updatedAt,image,imageAlt";
const ALL_LIST_FIELDS = "fields=id,owner,editor,title,version,createdAt,updatedAt,image";

type Post = { id: number; owner: string; editor: string; title: string; text: string; version: number; image: string | null };

/** The body of a success: a post unless told otherwise. */
function ok<T = { data: Post }>(response: Response, status = 200) {
  return okBody<T>(response, status);
}

/** A new account with a browser session and an API token. */
async function newUser(prefix = "api") {
  const browser = new HttpClient(app.url);
  const username = await browser.signup(uniqueUsername(prefix));
  return { browser, username, token: await createToken(browser) };
}

async function createPost(token: string, fields: Record<string, unknown> = { title: "A post", text: "Some text" }) {
  return (await ok(await call("/api", { method: "POST", json: fields, token }), 201)).data;
}

/** The ids of the tokens listed on the tokens page (each row's "Revoke…" link). */
function tokenIds(html: string) {
  return [...html.matchAll(/href="\/settings\/tokens\?revoke=(\d+)"/g)].map((match) => match[1]);
}

describe("reading (the tutorial's REST tests)", () => {
  it("lists an empty database", async () => {
    const body = await ok(await call("/api"));
    expect(body).toEqual({ status: "ok", data: [], next: null });
  });

  it("adds a post, then lists it with id, owner, editor and title, and no text", async () => {
    const { token, username } = await newUser("lister");
    const created = await createPost(token, { title: "First", text: "Hello, API" });
    const body = await ok<{ data: Record<string, unknown>[]; next: string | null }>(await call("/api"));
    expect(body.next).toBeNull();
    expect(body.data).toEqual([{ id: created.id, owner: username, editor: username, title: "First" }]);
    const rich = await ok<{ data: Record<string, unknown>[] }>(await call(`/api?${ALL_LIST_FIELDS}`));
    expect(rich.data[0]).toMatchObject({ id: created.id, owner: username, editor: username, title: "First", version: 1, image: null });
    expect(Object.keys(rich.data[0])).toEqual(["id", "owner", "editor", "title", "version", "createdAt", "updatedAt", "image"]);
  });

  it("gets one post with its text and version", async () => {
    const { token, username } = await newUser("getter");
    const { id } = await createPost(token, { title: "Read me", text: "line one\nline two" });
    expect((await ok(await call(`/api/${id}`))).data).toEqual({ id, owner: username, editor: username, title: "Read me", text: "line one\nline two" });
    const { data } = await ok(await call(`/api/${id}?${ALL_FIELDS}`));
    expect(data).toMatchObject({ id, owner: username, editor: username, title: "Read me", text: "line one\nline two", version: 1, image: null, imageAlt: "" });
    expect(typeof id).toBe("number");
    expect(new Date((data as unknown as { createdAt: string }).createdAt).getTime()).not.toBeNaN();
  });

  it("answers HEAD like GET, without a body, and marks API answers no-store and nosniff", async () => {
    const head = await call("/api", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const get = await call("/api");
    expect(get.headers.get("Cache-Control")).toBe("no-store");
    expect(get.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const error = await call("/api/abc");
    expect(error.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("answers ids that cannot name a post, and unknown addresses under /api, with a JSON 404", async () => {
    const paths = ["/api/999999", "/api/2147483647", "/api/2147483648", "/api/99999999999", "/api/abc", "/api/0", "/api/-1",
      "/api/1.5", "/api/1e3", "/api/%00", "/api/1/nope", "/api/1/image/x", "/api/a/b/c"];
    for (const path of paths) await failed(await call(path), 404);
    for (const method of ["PATCH", "DELETE"]) await failed(await call("/api/abc", { method, json: { title: "x" } }), 404);
    await failed(await call("/api/abc/image", { method: "PUT", body: await pngImage(), headers: { "Content-Type": "image/png" } }), 404);
  });

  it("answers a wrong method with 405 and an Allow header", async () => {
    const cases: [string, string, string][] = [
      ["PUT", "/api", "GET, HEAD, POST"],
      ["DELETE", "/api", "GET, HEAD, POST"],
      ["POST", "/api/1", "GET, HEAD, PATCH, DELETE"],
      ["PUT", "/api/1", "GET, HEAD, PATCH, DELETE"],
      ["GET", "/api/1/image", "PUT"],
      ["POST", "/api/1/image", "PUT"],
    ];
    for (const [method, path, allow] of cases) {
      const response = await call(path, { method });
      expect(response.headers.get("Allow"), `${method} ${path}`).toBe(allow);
      await failed(response, 405, /takes/);
    }
  });
});

describe("writing", () => {
  it("creates with 201 and a Location; owner and editor are the caller, whatever the body says", async () => {
    const { token, username } = await newUser("author");
    const victim = await newUser("victim");
    const response = await call(`/api?${ALL_FIELDS}`, {
      method: "POST",
      token,
      json: { title: "  Mine  ", text: "a\r\nb", owner: victim.username, editor: victim.username, id: 424242, version: 9, extra: [1] },
    });
    const { data } = await ok(response, 201);
    expect(response.headers.get("Location")).toBe(`/api/${data.id}`);
    expect(data).toMatchObject({ owner: username, editor: username, title: "Mine", text: "a\nb", version: 1 });
    expect(data.id).not.toBe(424242);
    const fetched = await ok(await call(`${response.headers.get("Location")!}?${ALL_FIELDS}`));
    expect(fetched.data).toEqual(data);
  });

  it("takes brackets inside strings as text, however many", async () => {
    const { token } = await newUser();
    const text = `${"[{".repeat(100)} \\" ${"]}".repeat(100)}`;
    expect(await createPost(token, { title: "Brackets", text })).toMatchObject({ title: "Brackets", text });
  });

  it("creates a post with a title alone (text is optional)", async () => {
    const { token } = await newUser();
    expect(await createPost(token, { title: "Only a title" })).toMatchObject({ title: "Only a title", text: "" });
  });

  it("refuses bodies that are not JSON objects with 400, and writes nothing", async () => {
    const { token } = await newUser();
    const before = (await databaseSnapshot(app.databaseUrl));
    for (const body of ["{", "not json", '{"title": "x",}', ""]) {
      await failed(await call("/api", { method: "POST", body, token, headers: { "Content-Type": "application/json" } }), 400, /not valid JSON/);
    }
    for (const json of [[], "a string", null, 42]) {
      await failed(await call("/api", { method: "POST", json, token }), 400, /must be a JSON object/);
    }
    // Deep nesting is refused before parsing; the same depth inside a string is just text.
    const deep = `{"title": "Deep", "x": ${"[".repeat(40_000)}${"]".repeat(40_000)}}`;
    await failed(await call("/api", { method: "POST", body: deep, token, headers: { "Content-Type": "application/json" } }), 400, /nested more than 32 levels/);
    const notUtf8 = new Uint8Array([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    await failed(await call("/api", { method: "POST", body: notUtf8, token, headers: { "Content-Type": "application/json" } }), 400, /UTF-8/);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
  });

  it("refuses invalid fields with 400 naming the field, and writes nothing", async () => {
    const { token } = await newUser();
    const before = (await databaseSnapshot(app.databaseUrl));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ text: "no title" }, /"title".*needs a title/],
      [{ title: "   " }, /"title".*needs a title/],
      [{ title: "x".repeat(201) }, /"title".*at most 200/],
      [{ title: "line\nbreak" }, /"title".*line breaks/],
      [{ title: 5 }, /"title".*must be a string \(got a number\)/],
      [{ title: null }, /"title".*must be a string \(got null\)/],
      [{ title: ["a"] }, /"title".*must be a string \(got an array\)/],
      [{ title: "ok", text: { nested: true } }, /"text".*must be a string \(got an object\)/],
      [{ title: "ok", text: "y".repeat(100_001) }, /"text".*at most 100,000/],
      [{ title: "ok", text: "bell\u0007" }, /"text".*control characters/],
    ];
    for (const [json, reason] of cases) await failed(await call("/api", { method: "POST", json, token }), 400, reason);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
    // The limit itself is fine.
    await createPost(token, { title: "x".repeat(200), text: "é".repeat(100_000) });
  });

  it("refuses a body that is not JSON with 415, and one over 1 MB with 413", async () => {
    const { token } = await newUser();
    const before = (await databaseSnapshot(app.databaseUrl));
    await failed(await call("/api", { method: "POST", token, body: new URLSearchParams({ title: "form" }) }), 415, /application\/json/);
    await failed(await call("/api", { method: "POST", token, body: '{"title": "x"}', headers: { "Content-Type": "text/plain" } }), 415);
    await failed(await call("/api", { method: "POST", token, body: '{"title": "x"}' , headers: { "Content-Type": "" } }), 415);
    const huge = JSON.stringify({ title: "big", text: "z".repeat(MB + 10) });
    await failed(await call("/api", { method: "POST", token, body: huge, headers: { "Content-Type": "application/json" } }), 413, /1 MB/);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
    // The connection and the app are fine afterwards.
    await ok(await call("/api?limit=1"));
  });

  it("patches any field, keeps the others, and credits the editor", async () => {
    const owner = await newUser("owner");
    const editor = await newUser("editor");
    const { id } = await createPost(owner.token, { title: "Before", text: "Body stays" });
    const { data } = await ok(await call(`/api/${id}?${ALL_FIELDS}`, { method: "PATCH", token: editor.token, json: { title: "After", owner: editor.username } }));
    expect(data).toMatchObject({ id, title: "After", text: "Body stays", owner: owner.username, editor: editor.username, version: 2 });
    const second = await ok(await call(`/api/${id}?${ALL_FIELDS}`, { method: "PATCH", token: owner.token, json: { text: "New body", version: 2 } }));
    expect(second.data).toMatchObject({ title: "After", text: "New body", editor: owner.username, version: 3 });
  });

  it("refuses a stale version with 409 and writes nothing", async () => {
    const { token } = await newUser();
    const other = await newUser();
    const { id } = await createPost(token, { title: "Shared", text: "v1" });
    await ok(await call(`/api/${id}`, { method: "PATCH", token: other.token, json: { text: "v2 by other", version: 1 } }));
    const before = (await databaseSnapshot(app.databaseUrl));
    await failed(await call(`/api/${id}`, { method: "PATCH", token, json: { text: "v2 by me", version: 1 } }), 409, /version 2.*Nothing was saved/);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
    expect((await ok(await call(`/api/${id}?${ALL_FIELDS}`))).data).toMatchObject({ text: "v2 by other", version: 2 });
  });

  it("refuses bad edits with 400 naming the field, and writes nothing", async () => {
    const { token } = await newUser();
    const { id } = await createPost(token);
    const before = (await databaseSnapshot(app.databaseUrl));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /Send "title", "text" or both/],
      [{ version: 1 }, /Send "title", "text" or both/],
      [{ title: "" }, /"title".*needs a title/],
      [{ title: 12 }, /"title".*must be a string/],
      [{ text: false }, /"text".*must be a string/],
      [{ text: "ok", version: "1" }, /"version"/],
      [{ text: "ok", version: 0 }, /"version"/],
      [{ text: "ok", version: 1.5 }, /"version"/],
      [{ text: "ok", version: 2 ** 31 }, /"version"/],
    ];
    for (const [json, reason] of cases) await failed(await call(`/api/${id}`, { method: "PATCH", token, json }), 400, reason);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
  });

  it("answers edits and deletes of a missing post with 404", async () => {
    const { token } = await newUser();
    await failed(await call("/api/999999", { method: "PATCH", token, json: { title: "x" } }), 404);
    await failed(await call("/api/999999", { method: "DELETE", token }), 404);
  });

  it("deletes for the owner only: 403 for others, then {status, id}, then 404", async () => {
    const owner = await newUser("owner");
    const stranger = await newUser("stranger");
    const { id } = await createPost(owner.token);
    await failed(await call(`/api/${id}`, { method: "DELETE", token: stranger.token }), 403, /Only the person who wrote a post/);
    await ok(await call(`/api/${id}`));
    const deleted = await call(`/api/${id}`, { method: "DELETE", token: owner.token });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ status: "ok", id });
    await failed(await call(`/api/${id}`), 404);
    await failed(await call(`/api/${id}`, { method: "DELETE", token: owner.token }), 404);
  });
});

describe("authentication", () => {
  it("answers writes without credentials with 401 and a Bearer challenge", async () => {
    const { token } = await newUser();
    const { id } = await createPost(token);
    const before = (await databaseSnapshot(app.databaseUrl));
    const writes: Call[] = [{ method: "POST", json: { title: "x" } }, { method: "PATCH", json: { title: "x" } }, { method: "DELETE" }];
    for (const [path, request] of [["/api", writes[0]], [`/api/${id}`, writes[1]], [`/api/${id}`, writes[2]]] as const) {
      const response = await call(path, request);
      expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="Quill"/);
      await failed(response, 401, /Authorization: Bearer/);
    }
    await failed(await call(`/api/${id}/image`, { method: "PUT", body: await pngImage(), headers: { "Content-Type": "image/png" } }), 401);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
  });

  it("refuses malformed and unknown tokens with 401, even beside a valid session cookie and on reads", async () => {
    const { browser } = await newUser();
    const cookie = browser.cookie!;
    const unknown = `quill_${crypto.randomBytes(32).toString("base64url")}`;
    const headers = ["Bearer", "Bearer ", `Basic ${Buffer.from("a:b").toString("base64")}`, "Bearer quill_short", `Bearer ${unknown}`, `Token ${unknown}`];
    for (const authorization of headers) {
      for (const request of [{ method: "POST", json: { title: "x" } }, { method: "GET" }]) {
        const response = await call("/api", { ...request, headers: { Authorization: authorization, Cookie: cookie } });
        expect(response.headers.get("WWW-Authenticate"), authorization).toContain('error="invalid_token"');
        await failed(response, 401);
      }
    }
  });

  it("creates a token on the settings page, shows it once, uses it, records the use, and revokes it", async () => {
    const browser = new HttpClient(app.url);
    const username = await browser.signup(uniqueUsername("tokens"));

    const created = await browser.post("/settings/tokens", { intent: "create", name: "backup script" });
    expect(created.status).toBe(200);
    expect(created.headers.get("Cache-Control")).toBe("no-store");
    const html = await created.text();
    const token = /quill_[A-Za-z0-9_-]{43}/.exec(html)![0];
    expect(html).toMatch(new RegExp(`<input[^>]*id="new-token"[^>]*readOnly[^>]*value="${token}"`, "i"));
    expect(html).toMatch(/<label for="new-token">Copy it now: it will not be shown again.<\/label>/);

    // Stored only as its SHA-256.
    const rows = await withTestDatabase(app.databaseUrl, (db) => db.apiToken.findMany());
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.map((row) => row.tokenHash)).toContain(crypto.createHash("sha256").update(token).digest("hex"));

    const listed = await (await browser.get("/settings/tokens")).text();
    expect(listed).not.toContain(token);
    expect(visibleText(listed)).toMatch(/backup script just now Never Revoke…/);
    expect(listed).toMatch(/<time dateTime="[^"]+" title="\d{1,2} \w+ \d{4} at \d\d:\d\d UTC">just now<\/time>/);

    const post = await createPost(token, { title: "By token" });
    expect(post.owner).toBe(username);
    expect(visibleText(await (await browser.get("/settings/tokens")).text())).toMatch(/backup script just now just now Revoke…/);

    const [tokenId] = tokenIds(listed);
    // "Revoke…" asks first (a page of its own, no JavaScript needed); nothing is revoked yet.
    const asked = await (await browser.get(`/settings/tokens?revoke=${tokenId}`)).text();
    expect(visibleText(asked)).toContain("Revoke “backup script”? Scripts using this token get 401 from then on.");
    expect(asked).toContain(`<input type="hidden" name="tokenId" value="${tokenId}"/>`);
    await ok(await call("/api?limit=1", { token }));
    const revoked = await browser.post("/settings/tokens", { intent: "revoke", tokenId });
    expect(revoked.status).toBe(302);
    expect(revoked.headers.get("Location")).toBe("/settings/tokens");
    expect(visibleText(await (await browser.get("/settings/tokens")).text())).toContain("Token revoked: scripts using it now get 401.");
    await failed(await call("/api", { method: "POST", token, json: { title: "after revoking" } }), 401, /not valid/);
    await failed(await call(`/api/${post.id}`, { token }), 401);
  });

  it("records a token's last use at most once a minute", async () => {
    const { token } = await newUser();
    const lastUsed = async () => {
      const hash = crypto.createHash("sha256").update(token).digest("hex");
      const row = await withTestDatabase(app.databaseUrl, (db) =>
        db.apiToken.findUniqueOrThrow({ where: { tokenHash: hash }, select: { lastUsedAt: true } }),
      );
      return row.lastUsedAt?.toISOString() ?? null;
    };
    expect(await lastUsed()).toBeNull();
    await ok(await call("/api?limit=1", { token }));
    const first = await lastUsed();
    expect(first).not.toBeNull();
    for (let i = 0; i < 3; i++) await ok(await call("/api?limit=1", { token }));
    expect(await lastUsed()).toBe(first);
  });

  it("lets nobody revoke another person's token, and needs a login for the page", async () => {
    const owner = await newUser("keeper");
    const [ownerTokenId] = tokenIds(await (await owner.browser.get("/settings/tokens")).text());
    const thief = await newUser("thief");
    const attempt = await thief.browser.post("/settings/tokens", { intent: "revoke", tokenId: ownerTokenId });
    expect(attempt.status).toBe(404);
    expect(visibleText(await attempt.text())).toContain("That token does not exist any more.");
    await ok(await call("/api?limit=1", { token: owner.token }));

    const visitor = await new HttpClient(app.url).get("/settings/tokens");
    expect(visitor.status).toBe(302);
    expect(visitor.headers.get("Location")).toBe("/login?redirectTo=%2Fsettings%2Ftokens");

    const noName = await owner.browser.post("/settings/tokens", { intent: "create", name: "  " });
    expect(noName.status).toBe(400);
    expect(visibleText(await noName.text())).toContain("Give the token a name");

    const crossSite = await owner.browser.post("/settings/tokens", { intent: "create", name: "planted" }, { origin: EVIL });
    expect(crossSite.status).toBe(403);
    expect(await (await owner.browser.get("/settings/tokens")).text()).not.toContain("planted");
  });

  it("accepts the browser's session cookie from this site, and refuses it from another with a JSON 403", async () => {
    const { browser, username } = await newUser("cookie");
    const json = (title: string) => ({ body: JSON.stringify({ title }), headers: { "Content-Type": "application/json" } });

    const own = await browser.request("/api", { method: "POST", ...json("From my own page") });
    expect((await ok(own, 201)).data.owner).toBe(username);
    // Scripts with a copied cookie send no Origin; they cannot be a victim's browser.
    await ok(await browser.request("/api", { method: "POST", ...json("From curl"), origin: null }), 201);

    const { id } = await createPost((await newUser()).token);
    const mine = (await ok(await browser.request("/api", { method: "POST", ...json("Keep me") }), 201)).data.id;
    const before = (await databaseSnapshot(app.databaseUrl));
    const attacks: [string, Record<string, string>, string | null][] = [
      ["another site", {}, EVIL],
      ["Origin: null", {}, "null"],
      ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }, null],
      ["Sec-Fetch-Site: same-site", { "Sec-Fetch-Site": "same-site" }, null],
    ];
    for (const [name, headers, origin] of attacks) {
      const attempts = [
        browser.request("/api", { method: "POST", body: JSON.stringify({ title: "Planted" }), headers: { ...headers, "Content-Type": "application/json" }, origin }),
        browser.request(`/api/${id}`, { method: "PATCH", body: JSON.stringify({ title: "Defaced" }), headers: { ...headers, "Content-Type": "application/json" }, origin }),
        browser.request(`/api/${mine}`, { method: "DELETE", headers, origin }),
        browser.request(`/api/${id}/image`, { method: "PUT", body: await pngImage(), headers: { ...headers, "Content-Type": "image/png" }, origin }),
      ];
      for (const response of await Promise.all(attempts)) await failed(response, 403, /another site/);
      expect((await databaseSnapshot(app.databaseUrl)), name).toEqual(before);
    }
  });

  it("accepts a bearer token whatever the Origin, since browsers never send it on their own", async () => {
    const { token, username } = await newUser();
    const response = await call("/api", { method: "POST", token, json: { title: "From a tool page" }, headers: { Origin: EVIL, "Sec-Fetch-Site": "cross-site" } });
    expect((await ok(response, 201)).data.owner).toBe(username);
  });
});

describe("uploading an image", () => {
  it("stores a PNG like a form upload and serves it as WebP of at most 1024 px; the uploader becomes the editor", async () => {
    const owner = await newUser("owner");
    const uploader = await newUser("uploader");
    const { id } = await createPost(owner.token, { title: "Picture", text: "Some text" });
    const response = await call(`/api/${id}/image?${ALL_FIELDS}`, { method: "PUT", token: uploader.token, body: await pngImage(2000, 1000), headers: { "Content-Type": "image/png" } });
    const { data } = await ok(response);
    expect(data).toMatchObject({ id, owner: owner.username, editor: uploader.username, version: 2, text: "Some text" });
    expect(data.image).toMatch(new RegExp(`^/${id}/image\\?v=[A-Za-z0-9_-]+$`));

    const image = await fetch(new URL(data.image!, app.url));
    expect(image.status).toBe(200);
    expect(image.headers.get("Content-Type")).toBe("image/webp");
    const stored = await sharp(new Uint8Array(await image.arrayBuffer())).metadata();
    expect([stored.format, stored.width, stored.height]).toEqual(["webp", 1024, 512]);
    expect((await ok<{ data: Post[] }>(await call(`/api?${ALL_LIST_FIELDS}`))).data.find((post) => post.id === id)?.image).toBe(data.image);
  });

  it("takes a JPEG too, with a charset-style parameter on its type", async () => {
    const { token } = await newUser();
    const { id } = await createPost(token);
    const { data } = await ok(await call(`/api/${id}/image?${ALL_FIELDS}`, { method: "PUT", token, body: await jpegImage(640, 480), headers: { "Content-Type": "image/jpeg; q=1" } }));
    const stored = await sharp(new Uint8Array(await (await fetch(new URL(data.image!, app.url))).arrayBuffer())).metadata();
    expect([stored.width, stored.height]).toEqual([640, 480]);
  });

  it("refuses text sent as image/png with 400, and writes nothing", async () => {
    const { token } = await newUser();
    const { id } = await createPost(token);
    const before = (await databaseSnapshot(app.databaseUrl));
    const body = new TextEncoder().encode("this is not a picture");
    await failed(await call(`/api/${id}/image`, { method: "PUT", token, body, headers: { "Content-Type": "image/png" } }), 400, /not an image we can read/);
    await failed(await call(`/api/${id}/image`, { method: "PUT", token, body: new Uint8Array(0), headers: { "Content-Type": "image/png" } }), 400, /empty/);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
  });

  it("refuses a body over 10 MB with 413, declared or streamed, and writes nothing", async () => {
    const { token } = await newUser();
    const { id } = await createPost(token);
    const before = (await databaseSnapshot(app.databaseUrl));
    const huge = new Uint8Array(10 * MB + 1);
    await failed(await call(`/api/${id}/image`, { method: "PUT", token, body: huge, headers: { "Content-Type": "image/png" } }), 413, /larger than 10 MB/);

    // Chunked, with no Content-Length: refused once 10 MB have arrived.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${app.url}/api/${id}/image`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "image/png", "Transfer-Encoding": "chunked" },
      });
      request.on("response", (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on("error", reject);
      const chunk = Buffer.alloc(MB);
      let sent = 0;
      const write = () => {
        while (sent < 12) {
          sent += 1;
          if (!request.write(chunk)) return void request.once("drain", write);
        }
        request.end();
      };
      write();
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toEqual({ status: "failed", reason: expect.stringMatching(/larger than 10 MB/) });
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
    await ok(await call(`/api/${id}`));
  });

  it("refuses other content types with 415, and a missing post with 404", async () => {
    const { token } = await newUser();
    const { id } = await createPost(token);
    const png = await pngImage();
    for (const type of ["text/plain", "application/octet-stream", "image/svg+xml", "multipart/form-data; boundary=x"]) {
      await failed(await call(`/api/${id}/image`, { method: "PUT", token, body: png, headers: { "Content-Type": type } }), 415, /image\/png, image\/jpeg, image\/webp, image\/gif/);
    }
    await failed(await call("/api/999999/image", { method: "PUT", token, body: png, headers: { "Content-Type": "image/png" } }), 404);
  });
});

describe("pagination over 250 posts", () => {
  // An app of its own, so the 250 are all there is and every page is predictable.
  let paged: RunningApp;
  let ids: number[];
  const list = (query: string) => call(`/api${query}`, {}, paged.url);
  type Page = { data: Post[]; next: string | null };

  beforeAll(async () => {
    paged = await startApp();
    const browser = new HttpClient(paged.url);
    await browser.signup(uniqueUsername("pager"));
    const response = await browser.post("/settings/tokens", { intent: "create", name: "bulk" });
    const token = /quill_[A-Za-z0-9_-]{43}/.exec(await response.text())![0];
    ids = [];
    for (let batch = 0; batch < 25; batch++) {
      const made = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          call("/api", { method: "POST", token, json: { title: `Post ${batch * 10 + n}` } }, paged.url).then((r) => r.json()),
        ),
      );
      ids.push(...made.map((body) => body.data.id as number));
    }
    ids.sort((a, b) => b - a); // newest first
  });
  afterAll(() => paged?.stop());

  it("links the next page in an RFC 8288 Link header, keeping the other parameters, until the last page", async () => {
    const seen: number[] = [];
    let path: string | null = "/api?limit=100&fields=title";
    while (path) {
      const response = await list(path.slice("/api".length));
      const page = await ok<Page>(response);
      seen.push(...page.data.map((post) => post.id));
      const link = response.headers.get("Link");
      if (page.next === null) {
        expect(link).toBeNull();
        path = null;
      } else {
        expect(link).toBe(`</api?limit=100&fields=title&cursor=${encodeURIComponent(page.next)}>; rel="next"`);
        path = /^<([^>]+)>; rel="next"$/.exec(link!)![1];
      }
    }
    expect(seen).toEqual(ids);
  });

  it("gives 50 by default, newest first, with a next cursor", async () => {
    const page = await ok<Page>(await list(""));
    expect(page.data.map((post) => post.id)).toEqual(ids.slice(0, 50));
    expect(typeof page.next).toBe("string");
  });

  it("gives up to 200 on request", async () => {
    const page = await ok<Page>(await list("?limit=200"));
    expect(page.data).toHaveLength(200);
    expect(page.data.map((post) => post.id)).toEqual(ids.slice(0, 200));
  });

  it.each([1, 50, 64, 200])("walks all 250 with limit=%i: no repeats, no gaps, next null at the end", async (limit) => {
    const seen: number[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const page: Page = await ok<Page>(await list(`?limit=${limit}${next ? `&cursor=${encodeURIComponent(next)}` : ""}`));
      seen.push(...page.data.map((post) => post.id));
      next = page.next;
      pages += 1;
    } while (next);
    expect(seen).toEqual(ids);
    expect(pages).toBe(Math.ceil(250 / limit));
  });

  it("refuses a cursor that is not one of ours with 400", async () => {
    for (const cursor of ["garbage!", "cDA", "eDE", "AAAA", "p12", "x".repeat(40)]) {
      await failed(await list(`?cursor=${encodeURIComponent(cursor)}`), 400, /"cursor"/);
    }
  });

  it("refuses a limit that is not a whole number from 1 to 200 with 400", async () => {
    for (const limit of ["0", "-1", "201", "1000", "abc", "1.5", "", "050", "1e2", " 5"]) {
      await failed(await list(`?limit=${encodeURIComponent(limit)}`), 400, /"limit".*1 to 200/);
    }
  });
});

describe("versions as ETags, and conditional writes with If-Match", () => {
  const tagOf = (response: Response) => response.headers.get("ETag");

  it("sends the version as a strong ETag on reads and on every write's answer", async () => {
    const { token } = await newUser();
    const created = await call("/api", { method: "POST", token, json: { title: "Tagged" } });
    expect(tagOf(created)).toBe('"1"');
    const { id } = (await ok(created, 201)).data;
    expect(tagOf(await call(`/api/${id}`))).toBe('"1"');
    const patched = await call(`/api/${id}`, { method: "PATCH", token, json: { text: "v2" } });
    expect(tagOf(patched)).toBe('"2"');
    const imaged = await call(`/api/${id}/image`, { method: "PUT", token, body: await pngImage(), headers: { "Content-Type": "image/png" } });
    expect(tagOf(imaged)).toBe('"3"');
    expect(tagOf(await call(`/api/${id}?fields=version`))).toBe('"3"');
  });

  it("saves a PATCH whose If-Match names the current version (or *, or a list holding it)", async () => {
    const { token } = await newUser();
    const { id } = await createPost(token);
    const first = await call(`/api/${id}`, { method: "PATCH", token, json: { text: "v2" }, headers: { "If-Match": '"1"' } });
    expect(tagOf(first)).toBe('"2"');
    await ok(first);
    await ok(await call(`/api/${id}`, { method: "PATCH", token, json: { text: "v3" }, headers: { "If-Match": "*" } }));
    await ok(await call(`/api/${id}`, { method: "PATCH", token, json: { text: "v4" }, headers: { "If-Match": '"9", "3"' } }));
    expect((await ok(await call(`/api/${id}?fields=text,version`))).data).toMatchObject({ text: "v4", version: 4 });
  });

  it("refuses a PATCH whose If-Match names another version with 412 and the current ETag, and writes nothing", async () => {
    const { token } = await newUser();
    const other = await newUser();
    const { id } = await createPost(token, { title: "Shared", text: "v1" });
    await ok(await call(`/api/${id}`, { method: "PATCH", token: other.token, json: { text: "v2 by other" } }));
    const before = await databaseSnapshot(app.databaseUrl);
    for (const ifMatch of ['"1"', 'W/"2"', '"1", "3"', '"abc"']) {
      const response = await call(`/api/${id}`, { method: "PATCH", token, json: { text: "v2 by me" }, headers: { "If-Match": ifMatch } });
      expect(tagOf(response), ifMatch).toBe('"2"');
      await failed(response, 412, /at version 2 .*If-Match.*Nothing was changed/);
    }
    expect(await databaseSnapshot(app.databaseUrl)).toEqual(before);
  });

  it("refuses a malformed If-Match with 400, and answers 404 before 412 for a missing post", async () => {
    const { token } = await newUser();
    const { id } = await createPost(token);
    for (const ifMatch of ["1", '"1', "W/1", '"1" "2"', '"1",, x']) {
      await failed(await call(`/api/${id}`, { method: "PATCH", token, json: { text: "x" }, headers: { "If-Match": ifMatch } }), 400, /If-Match/);
    }
    await failed(await call("/api/999999", { method: "PATCH", token, json: { text: "x" }, headers: { "If-Match": '"1"' } }), 404);
    await failed(await call("/api/999999", { method: "DELETE", token, headers: { "If-Match": '"1"' } }), 404);
  });

  it("deletes under If-Match only at that version: 412 and the post stays otherwise; 403 for others comes first", async () => {
    const owner = await newUser("owner");
    const stranger = await newUser("stranger");
    const { id } = await createPost(owner.token);
    await ok(await call(`/api/${id}`, { method: "PATCH", token: owner.token, json: { text: "v2" } }));
    await failed(await call(`/api/${id}`, { method: "DELETE", token: stranger.token, headers: { "If-Match": '"1"' } }), 403);
    await failed(await call(`/api/${id}`, { method: "DELETE", token: owner.token, headers: { "If-Match": '"1"' } }), 412, /at version 2/);
    await ok(await call(`/api/${id}`));
    await ok(await call(`/api/${id}`, { method: "DELETE", token: owner.token, headers: { "If-Match": '"2"' } }));
    await failed(await call(`/api/${id}`), 404);
  });

  it("makes an image upload and a restore conditional too", async () => {
    const { token } = await newUser();
    const { id } = await createPost(token);
    await ok(await call(`/api/${id}`, { method: "PATCH", token, json: { text: "v2" } }));
    const before = await databaseSnapshot(app.databaseUrl);
    await failed(await call(`/api/${id}/image`, { method: "PUT", token, body: await pngImage(), headers: { "Content-Type": "image/png", "If-Match": '"1"' } }), 412);
    await failed(await call(`/api/${id}/revisions/1/restore`, { method: "POST", token, headers: { "If-Match": '"1"' } }), 412);
    expect(await databaseSnapshot(app.databaseUrl)).toEqual(before);
    await ok(await call(`/api/${id}/revisions/1/restore`, { method: "POST", token, headers: { "If-Match": '"2"' } }), 201);
  });
});

describe("?fields=", () => {
  it("shows exactly the fields named, id always, in a fixed order", async () => {
    const { token, username } = await newUser();
    const { id } = await createPost(token, { title: "Fields", text: "Body" });
    const { data } = await ok<{ data: Record<string, unknown> }>(await call(`/api/${id}?fields=version,owner`));
    expect(data).toEqual({ id, owner: username, version: 1 });
    const listed = await ok<{ data: Record<string, unknown>[] }>(await call("/api?fields=title&limit=1"));
    expect(listed.data).toEqual([{ id, title: "Fields" }]);
    const written = await ok<{ data: Record<string, unknown> }>(await call(`/api/${id}?fields=text,updatedAt`, { method: "PATCH", token, json: { text: "New" } }));
    expect(Object.keys(written.data)).toEqual(["id", "text", "updatedAt"]);
  });

  it("refuses unknown names with 400 naming the choices (text is not in lists)", async () => {
    const { token } = await newUser();
    const { id } = await createPost(token);
    for (const fields of ["bogus", "title,", "", "Title", "title, text"]) {
      await failed(await call(`/api/${id}?fields=${encodeURIComponent(fields)}`), 400, /"fields".*Choose from id, owner, editor, title, text/);
    }
    await failed(await call("/api?fields=text"), 400, /"text" is not a field of a post in a list \(it is in \/api\/<id>\)/);
  });
});
