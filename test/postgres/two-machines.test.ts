import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { withTestDatabase } from "../support/database";
import { HttpClient, PASSWORD, uniqueUsername, visibleText } from "../support/http-client";
import { createDatabase, startPostgres, type PostgresCluster } from "../support/postgres";

// Two app servers on two ports against one PostgreSQL database, as two machines behind a
// proxy would be: what one writes, the other must see and respect at once.

const postgresMigrations = path.resolve(import.meta.dirname, "..", "..", "prisma", "postgresql", "migrations");
const SECRET = "two-machines-secret";

let ownCluster: PostgresCluster | undefined;
let databaseUrl: string;
let a: RunningApp;
let b: RunningApp;

beforeAll(async () => {
  // The run's server under `npm run test:postgres`, else one of its own.
  let server = process.env.QUILL_TEST_POSTGRES_URL;
  if (!server) {
    ownCluster = await startPostgres();
    server = ownCluster.url();
  }
  databaseUrl = await createDatabase(server);
  // Both start at once on an empty database: one migrates, the other waits for its lock.
  // One worker each: kept pages live per worker, and this is about two machines.
  [a, b] = await Promise.all([0, 1].map(() => startApp({ env: { DATABASE_URL: databaseUrl, SESSION_SECRET: SECRET, WEB_CONCURRENCY: "1" } })));
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  ownCluster?.stop();
});

const isKeptPage = (response: Response) => response.headers.get("Server-Timing") === 'page-cache;desc="hit"';

/** A client on `app` that carries `from`'s session cookie. */
function sameBrowserOn(app: RunningApp, from: HttpClient) {
  const client = new HttpClient(app.url);
  client.cookie = from.cookie;
  return client;
}

async function signedInName(client: HttpClient) {
  const text = visibleText(await (await client.get("/")).text());
  return /New post (\S+) Settings Log out/.exec(text)?.[1] ?? null;
}

describe("two app servers on one PostgreSQL database", () => {
  it("migrated it once, though both started at once", async () => {
    const files = fs.readdirSync(postgresMigrations).filter((name) => name.endsWith(".sql")).map((name) => name.slice(0, -4)).sort();
    const rows = await withTestDatabase(databaseUrl, (db) => db.$queryRaw<{ name: string }[]>`SELECT name FROM "_migrations"`);
    expect(rows.map((row) => row.name).sort()).toEqual(files);
    const said = [a, b].filter((app) => /applied \d+ PostgreSQL migration/.test(app.output()));
    expect(said).toHaveLength(1);
  });

  it("takes a cookie from a sign-up on A as signed in on B", async () => {
    const onA = new HttpClient(a.url);
    const username = await onA.signup(uniqueUsername("roamer"));
    expect(await signedInName(sameBrowserOn(b, onA))).toBe(username);
  });

  it("shows an edit made on B on A's kept front page at once", async () => {
    const author = new HttpClient(b.url);
    await author.signup(uniqueUsername("editor"));
    const id = await author.createPost({ title: "Written on B" });
    await fetch(`${a.url}/`);
    const kept = await fetch(`${a.url}/`);
    expect(isKeptPage(kept)).toBe(true);
    expect(visibleText(await kept.text())).toContain("Written on B");

    const form = new FormData();
    form.set("title", "Edited on B");
    form.set("text", "");
    form.set("version", "1");
    expect((await author.post(`/${id}/edit`, form)).status).toBe(302);
    const after = await fetch(`${a.url}/`);
    expect(isKeptPage(after)).toBe(false);
    const page = visibleText(await after.text());
    expect(page).toContain("Edited on B");
    expect(page).not.toContain("Written on B");
  });

  it("loses no write of 20 people editing one post at once, half on A and half on B", async () => {
    const owner = new HttpClient(a.url);
    await owner.signup(uniqueUsername("owner"));
    const id = await owner.createPost({ title: "Shared", text: "start" });
    const editors = await Promise.all(
      Array.from({ length: 20 }, async (_, n) => {
        const client = new HttpClient(n % 2 === 0 ? a.url : b.url);
        await client.signup(uniqueUsername(`e${n}`));
        return client;
      }),
    );
    let conflicts = 0;
    // Each adds a line to what it read, and on 409 reads again and retries, as a person would.
    await Promise.all(
      editors.map(async (client, n) => {
        for (let attempt = 1; attempt <= 60; attempt++) {
          const html = await (await client.get(`/${id}/edit`)).text();
          const version = /name="version" value="(\d+)"/.exec(html)?.[1];
          const text = (/<textarea[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1] ?? "").replace(/&#x27;/g, "'").replace(/&amp;/g, "&");
          const form = new FormData();
          form.set("title", "Shared");
          form.set("text", `${text}\nline ${n}`);
          form.set("version", String(version));
          const response = await client.post(`/${id}/edit`, form);
          if (response.status === 302) return;
          expect(response.status).toBe(409);
          conflicts++;
        }
        throw new Error(`editor ${n} never got a save in`);
      }),
    );
    const stored = await withTestDatabase(databaseUrl, (db) =>
      db.post.findUniqueOrThrow({ where: { id }, select: { text: true, version: true } }),
    );
    expect(stored.version).toBe(21);
    const lines = stored.text.split("\n");
    expect(lines[0]).toBe("start");
    expect(lines.slice(1).sort()).toEqual(Array.from({ length: 20 }, (_, n) => `line ${n}`).sort());
    expect(conflicts).toBeGreaterThan(0); // they really did collide
  });

  it("ends on B a session that 'log out everywhere else' on A ended", async () => {
    const laptop = new HttpClient(a.url);
    const username = await laptop.signup(uniqueUsername("owner"));
    const phone = new HttpClient(b.url);
    await phone.login(username);
    expect(await signedInName(phone)).toBe(username);

    expect((await laptop.post("/settings", { intent: "logout-everywhere" })).status).toBeLessThan(400);
    expect(await signedInName(phone)).toBeNull();
    expect(await signedInName(laptop)).toBe(username);
    expect(await signedInName(sameBrowserOn(b, laptop))).toBe(username);
  });

  // Last: it uses up the login failures allowed from this address (both servers see 127.0.0.1).
  it("checks exactly 10 of 40 wrong passwords sent at once, half to A and half to B", async () => {
    const username = await new HttpClient(a.url).signup(uniqueUsername("target"));
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, n) => (await new HttpClient(n % 2 === 0 ? a.url : b.url).post("/login", { username, password: `guess ${n}` })).status),
    );
    const count = (status: number) => statuses.filter((each) => each === status).length;
    if (process.env.QUILL_DEBUG) console.log(statuses, a.output().slice(-3000), b.output().slice(-3000));
    expect([count(401), count(429)]).toEqual([10, 30]);
    expect((await new HttpClient(b.url).post("/login", { username, password: PASSWORD })).status).toBe(429);
  });
});
