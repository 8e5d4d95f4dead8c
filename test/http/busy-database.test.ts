import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { startApp, type RunningApp } from "../support/app-server";
import { onPostgres } from "../support/database";
import { HttpClient, uniqueUsername, visibleText } from "../support/http-client";

// Another process holds SQLite's write lock (a long migration, a script, a sqlite3 shell
// with an open transaction). Writes wait for it without blocking the server, then give up
// with a 503; reads go on meanwhile (issue 13, item 6). On PostgreSQL, the same for a
// session that keeps the content version's row locked, which every page-changing write takes.
let app: RunningApp;
let author: HttpClient;

beforeAll(async () => {
  app = await startApp();
  author = new HttpClient(app.url);
  await author.signup(uniqueUsername("busy"));
  await author.createPost({ title: "Before the lock" });
});
afterAll(() => app?.stop());

/** Holds the write lock from this process until the returned function is called. */
async function holdWriteLock(): Promise<() => Promise<void>> {
  if (onPostgres) {
    const client = new pg.Client({ connectionString: app.databaseUrl });
    await client.connect();
    await client.query("BEGIN");
    await client.query(`SELECT 1 FROM "ContentVersion" FOR UPDATE`);
    return async () => {
      await client.query("ROLLBACK");
      await client.end();
    };
  }
  const db = new Database(app.databaseFile);
  db.exec("BEGIN IMMEDIATE");
  return async () => {
    db.exec("ROLLBACK");
    db.close();
  };
}

describe("a database whose write lock another process holds", () => {
  it("answers a new post 503 with Retry-After and the form as typed, and serves pages meanwhile", async () => {
    const release = await holdWriteLock();
    try {
      const form = new FormData();
      form.set("title", "Written while locked");
      form.set("text", "Every word of this must come back.");
      const started = performance.now();
      const saving = author.post("/new", form);

      // While the save waits, reads are answered at their usual speed.
      const readTimes: number[] = [];
      while (performance.now() - started < 3_000) {
        const readStarted = performance.now();
        const page = await fetch(`${app.url}/`);
        expect(page.status).toBe(200);
        await page.text();
        readTimes.push(performance.now() - readStarted);
      }
      readTimes.sort((a, b) => a - b);
      expect(readTimes.length).toBeGreaterThan(10);
      expect(readTimes[Math.floor(readTimes.length * 0.99)]).toBeLessThan(250);

      const answer = await saving;
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get("Retry-After"))).toBeGreaterThan(0);
      const page = visibleText(await answer.text());
      expect(page).toContain("nothing was saved");
      expect(page).toContain("Every word of this must come back.");
    } finally {
      await release();
    }
  });

  it("answers an API write 503 in the JSON envelope", async () => {
    const release = await holdWriteLock();
    try {
      const response = await author.request("/api", {
        method: "POST",
        body: JSON.stringify({ title: "API while locked" }),
        headers: { "Content-Type": "application/json" },
      });
      expect(response.status, app.output().slice(-3000)).toBe(503);
      expect(response.headers.get("Retry-After")).toMatch(/^\d+$/);
      expect(await response.json()).toMatchObject({ status: "failed", reason: expect.stringContaining("nothing was saved") });
    } finally {
      await release();
    }
  });

  it("saves as soon as the lock is let go within the wait", async () => {
    const release = await holdWriteLock();
    setTimeout(release, 1_000);
    const id = await author.createPost({ title: "Saved after the wait" });
    expect(id).toBeGreaterThan(0);
  });
});
