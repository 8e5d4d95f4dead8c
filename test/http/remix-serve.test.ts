import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { databaseSnapshot, openReadOnly } from "../support/database-snapshot";
import { HttpClient, PASSWORD, uniqueUsername, visibleText } from "../support/http-client";

// The simplest way to deploy a Remix app still works on the same build: plain
// `remix-serve build/server/index.js`, one process, none of server/ (no fast paths, no
// helmet, no origin check of ours). What it does not have is written down here as it is.

const root = path.resolve(import.meta.dirname, "..", "..");
let app: RunningApp;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "quill-remix-serve-"));
  // SQLite, whatever database the other tests run on: this is the zero-configuration deployment.
  const databaseUrl = `file:${path.join(dataDir, "quill.db")}`;
  const env = { ...process.env, DATABASE_URL: databaseUrl };
  const migrated = spawnSync(process.execPath, [path.join(root, "scripts", "migrate.js")], { cwd: root, env, encoding: "utf8" });
  expect(migrated.status, migrated.stderr).toBe(0);
  app = await startApp({
    dataDir,
    command: [process.execPath, path.join(root, "node_modules", "@remix-run", "serve", "dist", "cli.js"), path.join(root, "build", "server", "index.js")],
    env: { DATABASE_URL: databaseUrl, SESSION_SECRET: "remix-serve-smoke-secret" },
    ready: null,
  });
});
afterAll(() => app?.stop());

describe("plain remix-serve on the production build", () => {
  it("serves pages, images, the API and forms", async () => {
    const visitor = new HttpClient(app.url);
    const front = await visitor.get("/");
    expect(front.status).toBe(200);
    expect(visibleText(await front.text())).toMatch(/^Quill: all posts Skip to content Quill Log in Sign up Posts/);
    // The app's own header: its CSP with a fresh nonce (the others are the server's).
    expect(front.headers.get("Content-Security-Policy")).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);

    const author = new HttpClient(app.url);
    const username = await author.signup(uniqueUsername("plain"));
    const id = await author.createPost({ title: "Served by remix-serve" });
    expect(visibleText(await (await visitor.get(`/${id}`)).text())).toContain("Served by remix-serve");
    expect((await visitor.get(`/${id}/image`)).headers.get("Content-Type")).toBe("image/svg+xml");
    expect(((await (await visitor.get(`/api/${id}`)).json()) as { data: { owner: string } }).data.owner).toBe(username);
    // Login throttling still counts per account, without a client address.
    expect((await new HttpClient(app.url).post("/login", { username, password: "wrong" })).status).toBe(401);
    await new HttpClient(app.url).login(username, PASSWORD);
  });

  it("refuses a cross-site form before its action runs: with Remix's own check, a bare 500", async () => {
    const before = await databaseSnapshot(app.databaseUrl);
    const username = uniqueUsername("planted");
    const attack = await new HttpClient(app.url).post(
      "/signup",
      { username, password: PASSWORD, confirmPassword: PASSWORD },
      { origin: "https://evil.example" },
    );
    // No code of ours runs before Remix's check of Origin against Host under remix-serve,
    // and that check answers a mismatch with a 500 ("host header does not match origin").
    expect(attack.status).toBe(500);
    expect(attack.headers.get("Set-Cookie")).toBeNull();
    expect(await databaseSnapshot(app.databaseUrl)).toEqual(before);
    const db = openReadOnly(app.databaseFile);
    try {
      expect(db.prepare(`SELECT count(*) AS n FROM "User" WHERE usernameKey = ?`).get(username.toLowerCase())).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
