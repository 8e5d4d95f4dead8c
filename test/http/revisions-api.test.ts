import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, createToken, failed, ok, type Call } from "../support/api";
import { startApp, type RunningApp } from "../support/app-server";
import { databaseSnapshot } from "../support/database-snapshot";
import { HttpClient, uniqueUsername } from "../support/http-client";
import { pngImage } from "../support/images";

// The revisions API over real HTTP against the production build: the same envelope, auth
// and error rules as the rest of /api (issue 12).

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

const call = (path: string, options: Call = {}) => callApi(app.url, path, options);

type Summary = { version: number; editor: string | null; createdAt: string; charsAdded: number; charsRemoved: number; imageChanged: boolean; restoredFrom: number | null };
type Revision = Summary & { postId: number; title: string; text: string; image: string | null; imageAlt: string };
type Page = { data: Summary[]; next: string | null };

async function newUser(prefix = "rev") {
  const browser = new HttpClient(app.url);
  const username = await browser.signup(uniqueUsername(prefix));
  return { browser, username, token: await createToken(browser) };
}

async function createPost(token: string, json: Record<string, unknown>) {
  return (await ok<{ data: { id: number } }>(await call("/api", { method: "POST", token, json }), 201)).data.id;
}

async function patch(token: string, id: number, json: Record<string, unknown>) {
  return ok(await call(`/api/${id}`, { method: "PATCH", token, json }));
}

describe("reading a post's revisions", () => {
  it("lists every save newest first, without text, and gives one with its text and image", async () => {
    const ann = await newUser("ann");
    const ben = await newUser("ben");
    const id = await createPost(ann.token, { title: "Plan", text: "Walk to the lake." });
    await patch(ben.token, id, { text: "Walk to the lake, then swim." });
    await ok(await call(`/api/${id}/image`, { method: "PUT", token: ben.token, body: await pngImage(40, 40), headers: { "Content-Type": "image/png" } }));

    const list = await ok<Page>(await call(`/api/${id}/revisions`));
    expect(list.next).toBeNull();
    expect(list.data).toEqual([
      { version: 3, editor: ben.username, createdAt: expect.any(String), charsAdded: 0, charsRemoved: 0, imageChanged: true, restoredFrom: null },
      { version: 2, editor: ben.username, createdAt: expect.any(String), charsAdded: ", then swim".length, charsRemoved: 0, imageChanged: false, restoredFrom: null },
      { version: 1, editor: ann.username, createdAt: expect.any(String), charsAdded: "Plan".length + "Walk to the lake.".length, charsRemoved: 0, imageChanged: false, restoredFrom: null },
    ]);
    expect(new Date(list.data[0].createdAt).getTime()).toBeGreaterThanOrEqual(new Date(list.data[2].createdAt).getTime());

    const second = await ok<{ data: Revision }>(await call(`/api/${id}/revisions/2`));
    expect(second.data).toMatchObject({ postId: id, version: 2, title: "Plan", text: "Walk to the lake, then swim.", image: null, imageAlt: "", editor: ben.username });
    const third = await ok<{ data: Revision }>(await call(`/api/${id}/revisions/3`));
    expect(third.data.image).toBe(`/${id}/history/3/image`);
    const image = await fetch(new URL(third.data.image!, app.url));
    expect([image.status, image.headers.get("Content-Type")]).toEqual([200, "image/webp"]);
  });

  it("pages like /api: limit and cursor, no gaps or repeats, next null at the end", async () => {
    const { token } = await newUser("pager");
    const id = await createPost(token, { title: "Counted", text: "0" });
    for (let n = 1; n < 12; n++) await patch(token, id, { text: String(n) });
    for (const limit of [1, 5, 12, 200]) {
      const seen: number[] = [];
      let next: string | null = null;
      do {
        const page: Page = await ok<Page>(await call(`/api/${id}/revisions?limit=${limit}${next ? `&cursor=${next}` : ""}`));
        expect(page.data.length).toBeLessThanOrEqual(limit);
        seen.push(...page.data.map((revision) => revision.version));
        next = page.next;
      } while (next);
      expect(seen, `limit ${limit}`).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    }
    for (const query of ["?limit=0", "?limit=201", "?limit=abc", "?cursor=garbage!", "?cursor=cDA"]) {
      await failed(await call(`/api/${id}/revisions${query}`), 400, /"limit"|"cursor"/);
    }
  });

  it("answers unknown posts and versions with a JSON 404", async () => {
    const { token } = await newUser();
    const id = await createPost(token, { title: "Only one" });
    await failed(await call("/api/999999/revisions"), 404, /No post has that id/);
    await failed(await call("/api/abc/revisions"), 404);
    await failed(await call(`/api/${id}/revisions/2`), 404, /no version 2/);
    await failed(await call("/api/999999/revisions/1"), 404, /No post has that id/);
    for (const version of ["0", "abc", "-1", "1.5", "99999999999"]) await failed(await call(`/api/${id}/revisions/${version}`), 404);
    await failed(await call(`/api/${id}/revisions/1/nope`), 404);
  });

  it("answers other methods with 405 and an Allow header", async () => {
    const { token } = await newUser();
    const id = await createPost(token, { title: "Methods" });
    const cases: [string, string, string][] = [
      ["POST", `/api/${id}/revisions`, "GET, HEAD"],
      ["DELETE", `/api/${id}/revisions/1`, "GET, HEAD"],
      ["GET", `/api/${id}/revisions/1/restore`, "POST"],
      ["PUT", `/api/${id}/revisions/1/restore`, "POST"],
    ];
    for (const [method, path, allow] of cases) {
      const response = await call(path, { method, token });
      expect(response.headers.get("Allow"), `${method} ${path}`).toBe(allow);
      await failed(response, 405);
    }
  });
});

describe("restoring through the API", () => {
  it("makes a new revision with the old content, credited to the caller: 201 with it and its Location", async () => {
    const owner = await newUser("owner");
    const fixer = await newUser("fixer");
    const id = await createPost(owner.token, { title: "Good", text: "Useful words" });
    await ok(await call(`/api/${id}/image`, { method: "PUT", token: owner.token, body: await pngImage(20, 20), headers: { "Content-Type": "image/png" } }));
    await patch(owner.token, id, { title: "Spam", text: "Buy things" });

    const response = await call(`/api/${id}/revisions/2/restore`, { method: "POST", token: fixer.token });
    const { data } = await ok<{ data: Revision }>(response, 201);
    expect(response.headers.get("Location")).toBe(`/api/${id}/revisions/4`);
    expect(data).toMatchObject({ postId: id, version: 4, title: "Good", text: "Useful words", editor: fixer.username, restoredFrom: 2, imageChanged: false });
    expect(data.image).toBe(`/${id}/history/4/image`);
    const post = await ok<{ data: { title: string; text: string; editor: string; version: number; image: string } }>(await call(`/api/${id}?fields=title,text,editor,version,image`));
    expect(post.data).toMatchObject({ title: "Good", text: "Useful words", editor: fixer.username, version: 4 });
    expect(post.data.image).toMatch(new RegExp(`^/${id}/image\\?v=`));
  });

  it("checks an optional version like PATCH: 409 and nothing written when it is out of date", async () => {
    const { token } = await newUser();
    const other = await newUser();
    const id = await createPost(token, { title: "Race", text: "one" });
    await patch(token, id, { text: "two" });
    await patch(other.token, id, { text: "three" });
    const before = (await databaseSnapshot(app.databaseUrl));
    await failed(await call(`/api/${id}/revisions/1/restore`, { method: "POST", token, json: { version: 2 } }), 409, /at version 3 .*Nothing was restored/);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
    const restored = await ok<{ data: Revision }>(await call(`/api/${id}/revisions/1/restore`, { method: "POST", token, json: { version: 3 } }), 201);
    expect(restored.data).toMatchObject({ version: 4, text: "one", restoredFrom: 1 });
    // An empty JSON body, or none at all, means no check.
    await ok(await call(`/api/${id}/revisions/2/restore`, { method: "POST", token, json: {} }), 201);
  });

  it("refuses bad bodies with 400 or 415 and writes nothing", async () => {
    const { token } = await newUser();
    const id = await createPost(token, { title: "Bodies", text: "x" });
    const before = (await databaseSnapshot(app.databaseUrl));
    for (const version of ["2", 0, 1.5, -3, 2 ** 31]) {
      await failed(await call(`/api/${id}/revisions/1/restore`, { method: "POST", token, json: { version } }), 400, /"version"/);
    }
    await failed(await call(`/api/${id}/revisions/1/restore`, { method: "POST", token, body: "{", headers: { "Content-Type": "application/json" } }), 400, /not valid JSON/);
    await failed(await call(`/api/${id}/revisions/1/restore`, { method: "POST", token, json: [1] }), 400, /JSON object/);
    await failed(await call(`/api/${id}/revisions/1/restore`, { method: "POST", token, body: "version=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } }), 415);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
  });

  it("needs credentials (401), a request from this site for a cookie (403), and a real post and version (404)", async () => {
    const { browser, token } = await newUser("guard");
    const id = await createPost(token, { title: "Guarded", text: "a" });
    await patch(token, id, { text: "b" });
    const before = (await databaseSnapshot(app.databaseUrl));
    const anonymous = await call(`/api/${id}/revisions/1/restore`, { method: "POST" });
    expect(anonymous.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="Quill"/);
    await failed(anonymous, 401, /Authorization: Bearer/);
    await failed(await call(`/api/${id}/revisions/1/restore`, { method: "POST", headers: { Authorization: "Bearer quill_nope" } }), 401);
    const crossSite = await browser.request(`/api/${id}/revisions/1/restore`, { method: "POST", origin: "https://evil.example" });
    await failed(crossSite, 403, /another site/);
    await failed(await call(`/api/${id}/revisions/9/restore`, { method: "POST", token }), 404, /no version 9/);
    await failed(await call(`/api/999999/revisions/1/restore`, { method: "POST", token }), 404, /No post has that id/);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
    // The same browser, from Quill's own pages, may.
    await ok(await browser.request(`/api/${id}/revisions/1/restore`, { method: "POST" }), 201);
  });
});
