import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, createToken, failed, ok } from "../support/api";
import { startApp, type RunningApp } from "../support/app-server";
import { databaseSnapshot } from "../support/database-snapshot";
import { HttpClient, PASSWORD, uniqueUsername } from "../support/http-client";
import { pngImage } from "../support/images";
import { ClientResponseError, strictPost, TutorialClient } from "../support/tutorial-client";

// The tutorial's own API client against Quill, unmodified (test/support/tutorial-client.ts
// talks exactly as it does), and every kind of bad credential it or another script could send.

let app: RunningApp;
type Person = { username: string; token: string; browser: HttpClient };
let alice: Person;
let bob: Person;

async function person(prefix: string): Promise<Person> {
  const browser = new HttpClient(app.url);
  const username = await browser.signup(uniqueUsername(prefix));
  return { username, browser, token: await createToken(browser) };
}

beforeAll(async () => {
  app = await startApp();
  alice = await person("alice");
  bob = await person("bob");
});
afterAll(() => app?.stop());

/** `--base-url http://alice:TOKEN@host`, as the tutorial's README says to call it. */
const baseUrlOf = (username: string, token: string) => {
  const url = new URL(app.url);
  url.username = username;
  url.password = token;
  return url.href;
};
const basic = (username: string, secret: string) => `Basic ${Buffer.from(`${username}:${secret}`).toString("base64")}`;

describe("the tutorial's client, unmodified", () => {
  it("runs every command with the token in the base URL: create, get, list, update, delete", async () => {
    const client = new TutorialClient(baseUrlOf(alice.username, alice.token));
    const created = await client.create("From the tutorial", "Its client, as shipped");
    // The client claims "Anonymous" (its --user default): the credentials decide.
    expect(created).toEqual({ id: expect.any(Number), owner: alice.username, editor: alice.username, title: "From the tutorial", text: "Its client, as shipped" });
    expect(await client.get(created.id)).toEqual(created);
    expect(await client.list()).toContainEqual({ ...created, text: null });

    const updated = await client.update(created.id, { title: "Edited by the client" });
    expect(updated).toEqual({ ...created, title: "Edited by the client" });
    expect(await client.update(created.id, { text: "New text" })).toEqual({ ...updated, text: "New text" });

    await client.delete(created.id);
    const gone = await client.get(created.id).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(ClientResponseError);
    expect((gone as ClientResponseError).status).toBeGreaterThanOrEqual(400);
    expect((await client.list()).map((post) => post.id)).not.toContain(created.id);
  });

  it("credits the credentials' account whoever --user names, and shows the real owner and editor", async () => {
    const asBob = new TutorialClient(baseUrlOf(alice.username, alice.token), bob.username);
    const post = await asBob.create("Claims to be Bob's", "but Alice's token wrote it");
    expect([post.owner, post.editor]).toEqual([alice.username, alice.username]);
    const bobsOwn = await new TutorialClient(baseUrlOf(bob.username, bob.token), "Anonymous").create("Bob's", "x");
    const edited = await new TutorialClient(baseUrlOf(alice.username, alice.token), bob.username).update(bobsOwn.id, { text: "edited by Alice" });
    expect([edited.owner, edited.editor]).toEqual([bob.username, alice.username]);
    // Only an owner deletes, whatever the body or --user claims.
    const refused = await new TutorialClient(baseUrlOf(alice.username, alice.token), bob.username).delete(bobsOwn.id).catch((error: unknown) => error);
    expect((refused as ClientResponseError).status).toBe(403);
  });

  it("takes the username in any case, as the login does", async () => {
    const client = new TutorialClient(baseUrlOf(alice.username.toUpperCase(), alice.token));
    expect((await client.create("Shouted name", "")).owner).toBe(alice.username);
  });

  it("reads without credentials, and gets an error (not a silent anonymous write) when it writes without them", async () => {
    const anonymous = new TutorialClient(app.url);
    const [first] = await anonymous.list();
    expect(await anonymous.get(first.id)).toMatchObject({ id: first.id });
    const refused = await anonymous.create("No credentials", "").catch((error: unknown) => error);
    expect((refused as ClientResponseError).status).toBe(401);
  });

  it("decodes strictly: the richer shape on request would fail the client, so the default must be exact", async () => {
    const { data } = await ok<{ data: unknown[] }>(await callApi(app.url, "/api?fields=id,owner,editor,title,createdAt"));
    expect(() => strictPost(data[0], true)).toThrow(/unexpected keyword argument 'createdAt'/);
    expect(() => strictPost({ id: 1, owner: "a", editor: "a" }, true)).toThrow(/missing 1 required positional argument: 'title'/);
  });
});

describe("bad credentials are always a 401 naming both schemes", () => {
  /** Every kind of broken credential, Bearer and Basic, made fresh for each test. */
  async function badCredentials(): Promise<[string, string][]> {
    const revoked = await person("revoked");
    const tokensPage = await (await revoked.browser.get("/settings/tokens")).text();
    const tokenId = /href="\/settings\/tokens\?revoke=(\d+)"/.exec(tokensPage)![1];
    expect((await revoked.browser.post("/settings/tokens", { intent: "revoke", tokenId })).status).toBe(302);
    const unknown = `quill_${crypto.randomBytes(32).toString("base64url")}`;
    return [
      ["Bearer, malformed", "Bearer quill_short"],
      ["Bearer, empty", "Bearer "],
      ["Bearer, unknown", `Bearer ${unknown}`],
      ["Bearer, revoked", `Bearer ${revoked.token}`],
      ["another scheme", `Token ${alice.token}`],
      ["Basic, not base64", "Basic ***"],
      ["Basic, no colon", `Basic ${Buffer.from(alice.token).toString("base64")}`],
      ["Basic, no username", basic("", alice.token)],
      ["Basic, the account's password", basic(alice.username, PASSWORD)],
      ["Basic, unknown token", basic(alice.username, unknown)],
      ["Basic, revoked token", basic(revoked.username, revoked.token)],
      ["Basic, another account's token", basic(bob.username, alice.token)],
      ["Basic, an unknown username", basic("nobody_at_all", alice.token)],
    ];
  }

  it("on every API route, reads and writes alike, and nothing is written", async () => {
    const { id } = (await ok<{ data: { id: number } }>(await callApi(app.url, "/api", { method: "POST", token: alice.token, json: { title: "Target" } }), 201)).data;
    const png = await pngImage();
    const requests: [string, string, { json?: unknown; body?: BodyInit; headers?: Record<string, string> }][] = [
      ["GET", "/api", {}],
      ["HEAD", "/api", {}],
      ["GET", `/api/${id}`, {}],
      ["GET", `/api/${id}/revisions`, {}],
      ["GET", `/api/${id}/revisions/1`, {}],
      ["GET", "/api/openapi.json", {}],
      ["GET", "/api/no/such/address", {}],
      ["POST", "/api", { json: { title: "Planted" } }],
      ["PATCH", `/api/${id}`, { json: { title: "Defaced" } }],
      ["DELETE", `/api/${id}`, {}],
      ["PUT", `/api/${id}/image`, { body: png, headers: { "Content-Type": "image/png" } }],
      ["POST", `/api/${id}/revisions/1/restore`, {}],
      ["PUT", "/api", { json: { title: "wrong method too" } }],
    ];
    const credentials = await badCredentials();
    const before = await databaseSnapshot(app.databaseUrl);
    for (const [kind, authorization] of credentials) {
      for (const [method, path, request] of requests) {
        const what = `${kind}: ${method} ${path}`;
        // A cookie of a signed-in browser alongside changes nothing: the credential is broken.
        const response = await callApi(app.url, path, { method, ...request, headers: { ...request.headers, Authorization: authorization, Cookie: bob.browser.cookie! } });
        expect(response.status, what).toBe(401);
        const challenge = response.headers.get("WWW-Authenticate") ?? "";
        expect(challenge, what).toMatch(/^Bearer realm="Quill", error="invalid_token", Basic realm="Quill", charset="UTF-8"$/);
        if (method !== "HEAD") await failed(response, 401);
      }
    }
    expect(await databaseSnapshot(app.databaseUrl)).toEqual(before);
  });

  it("never checks a password over the API, so it cannot be used to guess one", async () => {
    const response = await callApi(app.url, "/api", { headers: { Authorization: basic(alice.username, PASSWORD) } });
    await failed(response, 401, /never the account's password/);
    // The wrong-password counts of the login are untouched: Alice still logs in at once.
    for (let attempt = 0; attempt < 12; attempt++) {
      expect((await callApi(app.url, "/api", { headers: { Authorization: basic(alice.username, `guess ${attempt}`) } })).status).toBe(401);
    }
    const login = await new HttpClient(app.url).post("/login", { username: alice.username, password: PASSWORD });
    expect(login.status).toBe(302);
  });

  it("is never answered from, nor kept in, the server's response cache", async () => {
    // Anonymous reads are kept and given again (by each worker process: ask until one hits).
    let hit = false;
    for (let n = 0; n < 10 && !hit; n++) {
      const response = await callApi(app.url, "/api");
      hit = (response.headers.get("Server-Timing") ?? "").includes("hit");
      await ok(response);
    }
    expect(hit).toBe(true);
    await failed(await callApi(app.url, "/api", { token: "quill_short" }), 401);
    await failed(await callApi(app.url, "/api", { headers: { Authorization: basic(bob.username, alice.token) } }), 401);
    // The 401s were not kept either.
    await ok(await callApi(app.url, "/api"));
    // Good credentials read the same list, not from the cache.
    const withToken = await callApi(app.url, "/api", { headers: { Authorization: basic(alice.username, alice.token) } });
    expect(withToken.headers.get("Server-Timing") ?? "").not.toContain("hit");
    await ok(withToken);
  });

  it("leaves a public read without any credential a 200", async () => {
    const response = await callApi(app.url, "/api");
    expect(response.headers.get("WWW-Authenticate")).toBeNull();
    await ok(response);
  });

  it("refuses a Basic credential from another site's page with 403: browsers remember and resend it, as they do cookies", async () => {
    const before = await databaseSnapshot(app.databaseUrl);
    const response = await callApi(app.url, "/api", {
      method: "POST",
      json: { title: "Planted with a remembered login" },
      headers: { Authorization: basic(alice.username, alice.token), Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
    });
    await failed(response, 403, /another site/);
    expect(await databaseSnapshot(app.databaseUrl)).toEqual(before);
  });
});
