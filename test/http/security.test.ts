import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { databaseSnapshot } from "../support/database-snapshot";
import { HttpClient, PASSWORD, uniqueUsername, visibleText } from "../support/http-client";
import { forgeSessionCookie } from "../support/session-cookie";

// Secrets are rotated during this file: the app first signs with OLD_SECRET alone, then
// with NEW_SECRET while still accepting OLD_SECRET, and finally with NEW_SECRET alone.
const OLD_SECRET = "old-secret-from-before-the-rotation";
const NEW_SECRET = "new-secret-after-the-rotation";
const NEVER_OUR_SECRET = "a-secret-this-app-never-had";
// TRUST_PROXY=1 (the test plays the proxy) lets each test come from its own client address
// (the last X-Forwarded-For entry), so the per-address login limit of one test does not
// lock the others out.
// ORIGIN: pages on https://quill.example, whose proxy ends TLS, may submit forms.
const env = (secrets: string) => ({ SESSION_SECRET: secrets, TRUST_PROXY: "1", ORIGIN: "https://quill.example" });

let app: RunningApp;
let dataDir: string;
/** Rosa signed in while the app still signed cookies with OLD_SECRET only. */
let rosa: { username: string; cookie: string };

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "quill-security-"));
  const before = await startApp({ dataDir, env: env(OLD_SECRET) });
  const browser = new HttpClient(before.url);
  rosa = { username: await browser.signup(uniqueUsername("rosa")), cookie: browser.cookie ?? "" };
  await before.stop();
  app = await startApp({ dataDir, env: env(`${NEW_SECRET},${OLD_SECRET}`) });
});
afterAll(() => app?.stop());

const browser = (cookie: string | null = null) => Object.assign(new HttpClient(app.url), { cookie });

/** Who the header says is signed in: a username (its link to their page) or "Anonymous". */
async function whoIs(client: HttpClient) {
  const response = await client.get("/");
  expect(response.status).toBe(200);
  return /<a class="who"[^>]*>([^<]+)<\/a>/.exec(await response.text())?.[1] ?? "Anonymous";
}

async function signedIn(prefix = "user") {
  const client = browser();
  const username = await client.signup(uniqueUsername(prefix));
  return { client, username };
}

function postForm(fields: Record<string, string>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return form;
}

/** A request fetch will not send as given (a Host header, TRACE), on a connection of its own. */
function hostileGet(path: string, headers: Record<string, string>, method = "GET"): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(path, app.url), { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const sent = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === "string") sent.set(name, value);
        resolve(new Response(Buffer.concat(chunks), { status: response.statusCode, headers: sent }));
      });
    });
    request.on("error", reject);
    request.end();
  });
}

/** A made-up client address, so that each login test has its own per-address count. */
const randomAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

function logIn(username: string, password: string, { from = randomAddress(), client = browser(), redirectTo }: { from?: string; client?: HttpClient; redirectTo?: string } = {}) {
  const body: Record<string, string> = { username, password };
  if (redirectTo !== undefined) body.redirectTo = redirectTo;
  return client.post("/login", body, { headers: { "X-Forwarded-For": from } });
}

describe("cross-site forms are refused", () => {
  type Submission = { client: HttpClient; path: string; body: Record<string, string> | FormData };
  // Every form in the app that changes something, ready to submit.
  const forms: { name: string; prepare: () => Promise<Submission> }[] = [
    {
      name: "sign up",
      prepare: async () => {
        const username = uniqueUsername("newcomer");
        return { client: browser(), path: "/signup", body: { username, password: PASSWORD, confirmPassword: PASSWORD } };
      },
    },
    {
      name: "log in",
      prepare: async () => {
        const { username } = await signedIn();
        return { client: browser(), path: "/login", body: { username, password: PASSWORD } };
      },
    },
    { name: "log out", prepare: async () => ({ client: (await signedIn()).client, path: "/logout", body: {} }) },
    {
      name: "new post",
      prepare: async () => ({ client: (await signedIn()).client, path: "/new", body: postForm({ title: "Planted", text: "by another site" }) }),
    },
    {
      name: "edit post",
      prepare: async () => {
        const { client } = await signedIn();
        const id = await client.createPost({ title: "Mine", text: "original" });
        return { client, path: `/${id}/edit`, body: postForm({ title: "Defaced", text: "by another site", version: "1" }) };
      },
    },
    {
      name: "delete post",
      prepare: async () => {
        const { client } = await signedIn();
        const id = await client.createPost({ title: "Keep me" });
        return { client, path: `/${id}/delete`, body: {} };
      },
    },
    {
      name: "log out everywhere else",
      prepare: async () => ({ client: (await signedIn()).client, path: "/settings", body: { intent: "logout-everywhere" } }),
    },
    {
      name: "change password",
      prepare: async () => ({
        client: (await signedIn()).client,
        path: "/settings",
        body: { intent: "change-password", currentPassword: PASSWORD, newPassword: "chosen by another site" },
      }),
    },
  ];

  const attacks: { name: string; origin: () => string | null; headers?: Record<string, string>; dataRequest?: boolean }[] = [
    { name: "Origin of another site", origin: () => "https://evil.example" },
    { name: "the same form sent by JavaScript (single fetch)", origin: () => "https://evil.example", dataRequest: true },
    { name: "Origin: null (a sandboxed frame)", origin: () => "null" },
    { name: "this host on another port", origin: () => app.url.replace(/:\d+$/, ":1") },
    { name: "this host and port over https (another scheme)", origin: () => app.url.replace(/^http:/, "https:") },
    { name: "an Origin this app does not list, behind a proxy it trusts", origin: () => "http://other.example", headers: { "X-Forwarded-Host": "quill.example" } },
    { name: "Sec-Fetch-Site: cross-site and no Origin", origin: () => null, headers: { "Sec-Fetch-Site": "cross-site" } },
    { name: "Sec-Fetch-Site: same-site (a sibling subdomain)", origin: () => null, headers: { "Sec-Fetch-Site": "same-site" } },
  ];

  it.each(forms)("$name: 403 and nothing changed from another site; works from this one and from curl", async ({ prepare }) => {
    const submission = await prepare();
    const signedInAs = await whoIs(submission.client);
    for (const attack of attacks) {
      const before = (await databaseSnapshot(app.databaseUrl));
      const target = attack.dataRequest ? `${submission.path}.data` : submission.path;
      const response = await submission.client.post(target, submission.body, { origin: attack.origin(), headers: attack.headers });
      expect(response.status, attack.name).toBe(403);
      expect(await response.text(), attack.name).toContain("This form was sent from another site, so it was refused.");
      expect(response.headers.get("Set-Cookie"), attack.name).toBeNull();
      expect((await databaseSnapshot(app.databaseUrl)), attack.name).toEqual(before);
    }
    expect(await whoIs(submission.client)).toBe(signedInAs);

    // The browser's own page sends its Origin and Sec-Fetch-Site: same-origin.
    const own = await submission.client.post(submission.path, submission.body, { headers: { "Sec-Fetch-Site": "same-origin" } });
    expect(own.status).toBe(302);
    // Scripts send neither header; without a browser there is no victim's cookie to abuse.
    const script = await prepare();
    expect((await script.client.post(script.path, script.body, { origin: null })).status).toBe(302);
  });
});

describe("the one same-origin check", () => {
  it("accepts the origins ORIGIN lists, behind a proxy that says which host it was asked for", async () => {
    const { username } = await signedIn("proxied");
    const viaProxy = { "X-Forwarded-Host": "quill.example", "X-Forwarded-For": randomAddress() };
    const login = await browser().post("/login", { username, password: PASSWORD }, { origin: "https://quill.example", headers: viaProxy });
    expect(login.status).toBe(302);
    // The same proxy, but a page of a site ORIGIN does not list.
    const refused = await browser().post("/login", { username, password: PASSWORD }, { origin: "https://other.example", headers: viaProxy });
    expect(refused.status).toBe(403);
  });

  it("refuses the JSON API's cookie writes from another site with a JSON 403, and lets tokens through to be checked", async () => {
    const { client } = await signedIn("apiwriter");
    const json = { "Content-Type": "application/json" };
    const before = await databaseSnapshot(app.databaseUrl);
    const refused = await client.request("/api", { method: "POST", body: JSON.stringify({ title: "Planted" }), headers: json, origin: "https://evil.example" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ status: "failed", reason: expect.stringContaining("another site") });
    expect(await databaseSnapshot(app.databaseUrl)).toEqual(before);
    // A bearer token is never sent by a browser on its own: checked by the API (401 here), not refused as cross-site.
    const token = await browser().request("/api", {
      method: "POST",
      body: JSON.stringify({ title: "x" }),
      headers: { ...json, Authorization: "Bearer quill_unknown" },
      origin: "https://evil.example",
    });
    expect(token.status).toBe(401);
  });
});

describe("configuration", () => {
  it("refuses TRUST_PROXY=true at start, in one line: it would believe what the client writes", async () => {
    const start = startApp({ env: { TRUST_PROXY: "true" } });
    await expect(start).rejects.toThrow(/TRUST_PROXY=true is too trusting/);
    await expect(start).rejects.not.toThrow(/\n\s+at /);
  });
});

describe("security headers", () => {
  function directives(response: Response) {
    const policy = response.headers.get("Content-Security-Policy") ?? "";
    return new Map(policy.split(";").map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }));
  }

  it("gives every page a fresh CSP nonce that is on each of its inline scripts, and no 'unsafe-inline'", async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await browser().get("/");
      const scriptSrc = directives(response).get("script-src") ?? [];
      expect(scriptSrc).toContain("'strict-dynamic'");
      expect(scriptSrc).not.toContain("'unsafe-inline'");
      const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(scriptSrc.find((value) => value.startsWith("'nonce-")) ?? "")?.[1];
      expect(nonce).toBeDefined();
      nonces.push(nonce!);

      const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it("forbids framing, plugins, foreign form targets and <base> on pages", async () => {
    const policy = directives(await browser().get("/login"));
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.get("base-uri")).toEqual(["'self'"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
  });

  it("sends nosniff, Referrer-Policy, Permissions-Policy and no-framing on every answer: pages, redirects, 304s, files, errors", async () => {
    const { client } = await signedIn("headers");
    const asset = /(\/assets\/[^"]+\.js)"/.exec(await (await browser().get("/login")).text())![1];
    const id = await client.createPost({ title: "Headers" });
    const stranger = (await signedIn("stranger")).client;
    const responses: [string, Response][] = [
      ["page", await client.get("/")],
      ["post page", await client.get(`/${id}`)],
      ["404 page", await client.get("/no/such/page")],
      ["403 page", await stranger.get(`/${id}/delete`)],
      ["405 page", await client.request("/new", { method: "PUT", body: postForm({ title: "x" }) })],
      ["data request", await client.get(`/${id}.data`)],
      ["root data request", await client.get("/_root.data")],
      ["action data request", await client.post("/new.data", postForm({ title: "" }))],
      ["image", await client.get(`/${id}/image`)],
      ["missing image", await client.get("/999999/image")],
      ["cross-site refusal", await client.post("/new", postForm({ title: "x" }), { origin: "https://evil.example" })],
      ["cross-site API refusal", await client.request("/api", { method: "POST", body: "{}", headers: { "Content-Type": "application/json" }, origin: "https://evil.example" })],
      ["redirect to log in", await browser().get("/new")],
      ["redirect after a form", await client.post("/settings", { intent: "logout-everywhere" })],
      ["image revalidated (304)", await client.get(`/${id}/image`, { "If-None-Match": (await client.get(`/${id}/image`)).headers.get("ETag")! })],
      ["built asset", await browser().get(asset)],
      ["built asset revalidated (304)", await browser().get(asset, { "If-None-Match": (await browser().get(asset)).headers.get("ETag")! })],
      ["favicon", await browser().get("/favicon.svg")],
      ["kept page", (await browser().get("/"), await browser().get("/"))],
      ["kept API read", (await browser().get("/api"), await browser().get("/api"))],
      ["API error", await browser().get("/api/abc")],
      ["health check", await browser().get("/healthz")],
      ["TRACE (405)", await hostileGet("/", {}, "TRACE")],
      ["a Host that is not a host name (400)", await hostileGet("/", { Host: "exa mple" })],
    ];
    const statuses = new Set(responses.map(([, response]) => response.status));
    for (const status of [200, 302, 304, 400, 403, 404, 405]) expect(statuses, `a ${status} among them`).toContain(status);
    for (const [name, response] of responses) {
      expect(response.status, name).toBeLessThan(500);
      expect(response.headers.get("X-Content-Type-Options"), name).toBe("nosniff");
      expect(response.headers.get("Referrer-Policy"), name).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("Permissions-Policy"), name).toMatch(/camera=\(\)/);
      expect(response.headers.get("X-Frame-Options"), name).toBe("DENY");
      expect(response.headers.get("Strict-Transport-Security"), name).toBeNull();
      if (response.headers.get("Content-Type")?.startsWith("text/html")) {
        expect(directives(response).get("frame-ancestors"), name).toEqual(["'none'"]);
      }
    }
  });

  it("sends HSTS only when the request came over https (X-Forwarded-Proto from the proxy)", async () => {
    const visitor = browser();
    for (const path of ["/", "/_root.data", "/999999/image"]) {
      const https = await visitor.get(path, { "X-Forwarded-Proto": "https" });
      expect(https.headers.get("Strict-Transport-Security"), path).toBe("max-age=31536000; includeSubDomains");
      const http = await visitor.get(path, { "X-Forwarded-Proto": "http" });
      expect(http.headers.get("Strict-Transport-Security"), path).toBeNull();
    }
  });
});

describe("sessions", () => {
  it("'Log out everywhere else' signs out every other browser and keeps this one in", async () => {
    const { client: laptop, username } = await signedIn("alice");
    const phone = browser();
    expect((await logIn(username, PASSWORD, { client: phone })).status).toBe(302);
    expect(await whoIs(phone)).toBe(username);

    const response = await laptop.post("/settings", { intent: "logout-everywhere" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/settings");
    expect(response.headers.get("Set-Cookie")).toMatch(/^__quill_session=/);
    expect(visibleText(await (await laptop.get("/settings")).text())).toContain("Done: every other browser and device is logged out.");
    expect(await whoIs(laptop)).toBe(username);

    expect(await whoIs(phone)).toBe("Anonymous");
    const gate = await phone.get("/new");
    expect(gate.status).toBe(302);
    expect(gate.headers.get("Location")).toBe("/login?redirectTo=%2Fnew");
  });

  it("changing the password signs out every other browser, keeps this one in, and retires the old password", async () => {
    const { client: laptop, username } = await signedIn("bert");
    const phone = browser();
    await logIn(username, PASSWORD, { client: phone });
    const newPassword = "a much better passphrase";

    const response = await laptop.post("/settings", { intent: "change-password", currentPassword: PASSWORD, newPassword });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/settings");
    expect(visibleText(await (await laptop.get("/settings")).text())).toContain("Password changed. Every other browser and device is logged out.");
    expect(await whoIs(laptop)).toBe(username);
    expect(await whoIs(phone)).toBe("Anonymous");
    expect((await phone.get("/settings")).headers.get("Location")).toBe("/login?redirectTo=%2Fsettings");

    expect((await logIn(username, PASSWORD)).status).toBe(401);
    expect((await logIn(username, newPassword)).status).toBe(302);
  });

  it("issues a brand-new cookie at login, never the one the browser brought (no session fixation)", async () => {
    const { client: mallory, username: malloryName } = await signedIn("mallory");
    const { username: victim } = await signedIn("victim");
    // Mallory plants her own valid cookie in the victim's browser, then the victim logs in.
    const planted = mallory.cookie!;
    const victimBrowser = browser(planted);
    expect(await whoIs(victimBrowser)).toBe(malloryName);
    const login = await logIn(victim, PASSWORD, { client: victimBrowser });
    expect(login.status).toBe(302);
    expect(victimBrowser.cookie).not.toBe(planted);
    expect(await whoIs(victimBrowser)).toBe(victim);
    // Mallory's cookie did not become the victim's session.
    expect(await whoIs(mallory)).toBe(malloryName);

    // Logging in again on the same browser replaces the cookie again.
    const before = victimBrowser.cookie;
    await logIn(victim, PASSWORD, { client: victimBrowser });
    expect(victimBrowser.cookie).not.toBe(before);
  });

  it("treats tampered, unsigned and foreign-signed cookies as nobody: 200 pages, login redirects, never a 500", async () => {
    const { client, username } = await signedIn("tamper");
    const other = await signedIn("target");
    const [name, value] = client.cookie!.split("=");
    const [payload, signature] = decodeURIComponent(value).split(".");
    const data = JSON.parse(Buffer.from(payload, "base64").toString()) as { userId: number };
    const otherId = (JSON.parse(Buffer.from(decodeURIComponent(other.client.cookie!.split("=")[1]).split(".")[0], "base64").toString()) as { userId: number }).userId;
    const swapped = Buffer.from(JSON.stringify({ ...data, userId: otherId })).toString("base64");
    const flipped = signature.slice(0, -2) + (signature.endsWith("A") ? "BB" : "AA");
    const cookies: Record<string, string> = {
      "someone else's id under my signature": `${name}=${encodeURIComponent(`${swapped}.${signature}`)}`,
      "a changed signature": `${name}=${encodeURIComponent(`${payload}.${flipped}`)}`,
      "no signature at all": `${name}=${encodeURIComponent(payload)}`,
      "garbage": `${name}=%%%not-a-cookie%%%`,
      "signed with a secret this app never had": await forgeSessionCookie({
        databaseUrl: app.databaseUrl,
        username,
        secret: NEVER_OUR_SECRET,
      }),
    };
    for (const [label, cookie] of Object.entries(cookies)) {
      const visitor = browser(cookie);
      expect(await whoIs(visitor), label).toBe("Anonymous");
      const gate = await visitor.get("/settings");
      expect(gate.status, label).toBe(302);
      expect(gate.headers.get("Location"), label).toBe("/login?redirectTo=%2Fsettings");
    }
    expect(await whoIs(client)).toBe(username);
  });

  it("keeps accepting cookies signed with the previous secret while it is still listed second", async () => {
    expect(await whoIs(browser(rosa.cookie))).toBe(rosa.username);
  });

  it("lasts 30 days: Max-Age on the cookie, and a signed expiry the server checks itself", async () => {
    const { client, username } = await signedIn("expiry");
    const login = await logIn(username, PASSWORD, { client });
    expect(login.headers.get("Set-Cookie")).toMatch(/; Max-Age=2592000(;|$)/);

    // A browser forgets the cookie after Max-Age, but a copied cookie would be replayed;
    // these are signed with the app's own secret, so only the expiry differs.
    const expired = await forgeSessionCookie({ databaseUrl: app.databaseUrl, username, secret: NEW_SECRET, expiresAt: Date.now() - 1000 });
    const current = await forgeSessionCookie({ databaseUrl: app.databaseUrl, username, secret: NEW_SECRET });
    expect(await whoIs(browser(expired))).toBe("Anonymous");
    expect(await whoIs(browser(current))).toBe(username);
  });
});

/** Set by the first throttling test; checked again after the restart. */
let locked = { username: "", address: "" };

describe("login throttling", () => {
  const TOO_MANY = "Too many failed attempts. Try again in 15 minutes.";

  it("after 10 failures for one username from one address, refuses that address the 11th attempt with 429 even with the right password", async () => {
    const { username } = await signedIn("target");
    const from = randomAddress();
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect((await logIn(username, `wrong guess ${attempt}`, { from })).status, `attempt ${attempt}`).toBe(401);
    }
    const refused = await logIn(username, PASSWORD, { from });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(visibleText(await refused.text())).toContain(TOO_MANY);
    expect(refused.headers.get("Set-Cookie")).toBeNull();
    locked = { username, address: from };
    // The stranger's failures are theirs: the owner, from their own address, gets in.
    expect((await logIn(username, PASSWORD)).status).toBe(302);
  });

  it("lets the owner in from an address they logged in from while strangers on many addresses hold the account at its ceiling", async () => {
    const { username } = await signedIn("besieged");
    const home = randomAddress();
    expect((await logIn(username, PASSWORD, { from: home })).status).toBe(302);
    // 100 failures an hour per account from addresses it was not used from: 10 strangers x 10.
    for (let stranger = 0; stranger < 10; stranger++) {
      const from = `172.16.${randomInt(256)}.${stranger + 1}`;
      const statuses = await Promise.all(Array.from({ length: 10 }, (_, n) => logIn(username, `botnet guess ${n}`, { from }).then((r) => r.status)));
      expect(statuses).toEqual(Array(10).fill(401));
    }
    const elsewhere = await logIn(username, PASSWORD, { from: randomAddress() });
    expect(elsewhere.status).toBe(429);
    expect(Number(elsewhere.headers.get("Retry-After"))).toBeGreaterThan(59 * 60);
    expect((await logIn(username, PASSWORD, { from: home })).status).toBe(302);
  });

  it("checks at most 10 of 40 wrong passwords sent at once from one address", async () => {
    const { username } = await signedIn("swarm");
    const from = randomAddress();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, n) => (await logIn(username, `parallel guess ${n}`, { from })).status),
    );
    const count = (status: number) => statuses.filter((each) => each === status).length;
    expect([count(401), count(429)]).toEqual([10, 30]);
    expect((await logIn(username, PASSWORD, { from })).status).toBe(429);
  });

  it("after 10 failures from one address across usernames, refuses that address but not others", async () => {
    const attacker = randomAddress();
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect((await logIn(uniqueUsername("guess"), PASSWORD, { from: attacker })).status).toBe(401);
    }
    const { username } = await signedIn("bystander");
    const refused = await logIn(username, PASSWORD, { from: attacker });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(visibleText(await refused.text())).toContain(TOO_MANY);
    expect((await logIn(username, PASSWORD, { from: randomAddress() })).status).toBe(302);
  });

  it("counts a client by the address its proxy saw: a spoofed X-Forwarded-For entry in front changes nothing", async () => {
    // TRUST_PROXY=1: the proxy appends the address it saw; whatever the client wrote comes before.
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect((await logIn(uniqueUsername("spoof"), PASSWORD, { from: `6.6.6.${attempt}, 10.0.0.1` })).status).toBe(401);
    }
    const { username } = await signedIn("bystander");
    expect((await logIn(username, PASSWORD, { from: "6.6.6.6, 10.0.0.1" })).status).toBe(429);
    expect((await logIn(username, PASSWORD, { from: "10.0.0.1, 10.0.0.2" })).status).toBe(302);
  });

  it("lets a login before the limit through at full speed, and starts the username's count over", async () => {
    const { username } = await signedIn("forgetful");
    const failAndSucceed = async () => {
      for (let attempt = 1; attempt <= 9; attempt++) expect((await logIn(username, `typo ${attempt}`)).status).toBe(401);
      const started = performance.now();
      const success = await logIn(username, PASSWORD);
      expect(success.status).toBe(302);
      return performance.now() - started;
    };
    // Without the reset, the second round's failures would reach 10 and lock the account.
    const times = [await failAndSucceed(), await failAndSucceed()];
    for (const ms of times) expect(ms).toBeLessThan(1000);
  });
});

describe("redirects after login stay on this site", () => {
  const refused = [
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "http://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "%2f%2fevil.example",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: planted=1",
    "/\u0000evil",
    "/\u2215\u2215evil.example",
    "/☃",
    "evil.example",
    "",
  ];
  const kept = ["/new", "/settings?done=sessions", "/1/edit", "/login?redirectTo=%2Fnew", "/%2F%2Fevil.example"];

  it("falls back to / for anything but a local path", async () => {
    const { username } = await signedIn("redirects");
    for (const redirectTo of refused) {
      const response = await logIn(username, PASSWORD, { redirectTo });
      expect(response.status, JSON.stringify(redirectTo)).toBe(302);
      expect(response.headers.get("Location"), JSON.stringify(redirectTo)).toBe("/");
      expect(response.headers.get("Set-Cookie"), JSON.stringify(redirectTo)).not.toMatch(/planted/);
    }
  });

  it("keeps local paths (a %2F inside a path is still a path on this site)", async () => {
    const { username } = await signedIn("redirects");
    for (const redirectTo of kept) {
      const response = await logIn(username, PASSWORD, { redirectTo });
      expect(response.headers.get("Location"), redirectTo).toBe(redirectTo);
    }
  });

  it("applies the same rule when a signed-in visitor opens /login?redirectTo=…", async () => {
    const { client } = await signedIn("redirects");
    for (const redirectTo of ["//evil.example", "/\\evil.example", "https://evil.example", "/☃"]) {
      const response = await client.get(`/login?${new URLSearchParams({ redirectTo })}`);
      expect(response.headers.get("Location"), redirectTo).toBe("/");
    }
    expect((await client.get("/login?redirectTo=%2Fnew")).headers.get("Location")).toBe("/new");
  });
});

describe("after a restart with the old secret retired", () => {
  let issuedAfterRotation: HttpClient;

  beforeAll(async () => {
    issuedAfterRotation = (await signedIn("after")).client;
    await app.stop();
    app = await startApp({ dataDir, env: env(NEW_SECRET) });
    issuedAfterRotation = Object.assign(new HttpClient(app.url), { cookie: issuedAfterRotation.cookie });
  });

  it("rejects cookies signed with the dropped secret and keeps the ones signed with the new one", async () => {
    expect(await whoIs(browser(rosa.cookie))).toBe("Anonymous");
    expect(await whoIs(issuedAfterRotation)).not.toBe("Anonymous");
    // Rosa just logs in again.
    expect((await logIn(rosa.username, PASSWORD)).status).toBe(302);
  });

  it("still refuses the locked username at that address: the failure count lives in the database", async () => {
    expect(locked.username).not.toBe("");
    const response = await logIn(locked.username, PASSWORD, { from: locked.address });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});
