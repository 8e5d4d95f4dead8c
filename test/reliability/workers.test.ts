import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isAlive, startApp, workerPids, type RunningApp } from "../support/app-server";
import { HttpClient, uniqueUsername, visibleText } from "../support/http-client";

// Several processes serving one database: the workers of one `npm start` (WEB_CONCURRENCY=2,
// node:cluster hands each new connection to one of them in turn), and two `npm start`s on
// one SQLite file. Whatever must be shared lives in the database.

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

async function start(options: Parameters<typeof startApp>[0] = {}) {
  const app = await startApp(options);
  running.push(app);
  return app;
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A GET on a connection of its own, so that the workers take turns answering. With a
 * deadline: a connection the primary hands to a worker at the moment it dies is lost
 * (node:cluster), and its client must give up, as browsers do.
 */
function freshGet(url: string, timeoutMs = 5_000): Promise<{ status: number; kept: boolean; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, timeout: timeoutMs }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, kept: response.headers["server-timing"] === 'page-cache;desc="hit"', body }),
        );
      })
      .on("timeout", function (this: http.ClientRequest) {
        this.destroy(new Error(`no answer within ${timeoutMs} ms`));
      })
      .on("error", reject);
  });
}

const newDataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "quill-workers-"));

describe("worker processes", () => {
  it("logs in order: 'serving on' before the first request's line, then every worker listening", async () => {
    // The helper asks for /healthz every 100 ms from the start: the first answer is logged.
    const app = await start();
    // The line is written once the answer is sent, and comes through a pipe.
    await waitFor(() => /^GET \/healthz /m.test(app.output()), 5_000, "the access log line");
    const log = app.output();
    const serving = log.indexOf("[quill] serving on ");
    const firstRequest = log.search(/^GET \/healthz /m);
    expect(serving).toBeGreaterThanOrEqual(0);
    expect(firstRequest).toBeGreaterThan(serving);
    expect(log.indexOf("[quill] all 2 worker processes are listening")).toBeGreaterThan(serving);
  });

  it("replaces a killed worker at once, says why in the log, and the other serves meanwhile", async () => {
    const app = await start();
    const [killed, survivor] = workerPids(app);
    expect([killed, survivor].every(Boolean)).toBe(true);

    process.kill(killed, "SIGKILL");
    const killedAt = Date.now();
    await waitFor(() => app.output().includes(`[quill] worker ${killed} was killed by SIGKILL after`), 5_000, "the log line");
    expect(app.output()).toMatch(new RegExp(`\\[quill\\] worker ${killed} was killed by SIGKILL after [\\d.]+ s; starting another\\n`));
    // The other worker answers meanwhile. (A connection handed to the worker in the moment it
    // died, before the primary knew, is lost: node:cluster cannot take it back.)
    const during = await Promise.all(Array.from({ length: 6 }, () => freshGet(`${app.url}/healthz`, 3_000).catch((error: Error) => ({ status: 0, error: error.message }))));
    expect(during.filter((answer) => answer.status === 200).length, JSON.stringify(during)).toBe(6);

    await waitFor(() => workerPids(app).length === 2 && !workerPids(app).includes(killed), 5_000, "a new worker");
    const replacedAfter = Date.now() - killedAt;
    expect(workerPids(app)).toContain(survivor);
    const allAnswer = async () => (await Promise.all(Array.from({ length: 6 }, () => freshGet(`${app.url}/healthz`, 3_000)))).every((a) => a.status === 200);
    await waitFor(() => allAnswer().catch(() => false), 20_000, "both workers to answer");
    expect(isAlive(killed)).toBe(false);
    console.log(`[workers] a SIGKILLed worker was replaced within ${replacedAfter} ms`);
  });

  it("shows a write made through one worker at once through the other, kept pages included", async () => {
    const app = await start();
    const author = new HttpClient(app.url);
    await author.signup(uniqueUsername("writer"));
    const first = await author.createPost({ title: "Before" });
    // Both workers keep the front page, the post list and the post (each asked several times).
    const urls = ["/", "/api", `/api/${first}`].map((path) => `${app.url}${path}`);
    for (let n = 0; n < 6; n++) for (const url of urls) await freshGet(url);
    const warm = await Promise.all(Array.from({ length: 4 }, () => freshGet(`${app.url}/`)));
    expect(warm.every((answer) => answer.kept)).toBe(true);

    // Through whichever worker has the author's connection...
    const title = `Written through one worker ${Date.now()}`;
    const id = await author.createPost({ title });
    // ...and at once through both.
    const after = await Promise.all([0, 1, 2, 3].flatMap(() => [freshGet(`${app.url}/`), freshGet(`${app.url}/api`)]));
    for (const answer of after) expect(answer.body).toContain(title);
    expect(after.filter((answer) => !answer.kept).length).toBeGreaterThanOrEqual(2);
    expect((await freshGet(`${app.url}/api/${id}`)).body).toContain(title);
  });

  it("two servers on one SQLite file: a write through one is seen through the other at once, and they share the login limit", async () => {
    const dataDir = newDataDir();
    const a = await start({ dataDir, env: { WEB_CONCURRENCY: "1" } });
    // Started while the other has the file open: migrations are applied, so none wait for it.
    const b = await start({ dataDir, env: { WEB_CONCURRENCY: "1" } });
    expect(b.databaseFile).toBe(a.databaseFile);

    const author = new HttpClient(a.url);
    const username = await author.signup(uniqueUsername("shared"));
    const id = await author.createPost({ title: "Original title", text: "first" });
    for (let n = 0; n < 2; n++) for (const path of ["/", `/${id}`, `/api/${id}?fields=title,text,version`]) await freshGet(`${b.url}${path}`);
    expect((await freshGet(`${b.url}/`)).kept).toBe(true);
    expect((await freshGet(`${b.url}/api/${id}?fields=title,text,version`)).kept).toBe(true);

    const edit = await author.post(`/${id}/edit`, { title: "Edited through A", text: "second", version: "1" });
    expect(edit.status).toBe(302);
    const [front, post, json] = await Promise.all(["/", `/${id}`, `/api/${id}?fields=title,text,version`].map((path) => freshGet(`${b.url}${path}`)));
    expect(visibleText(front.body)).toContain("Edited through A");
    expect(visibleText(post.body)).toContain("Edited through A");
    expect(JSON.parse(json.body).data).toMatchObject({ title: "Edited through A", text: "second", version: 2 });
    expect([front.kept, post.kept, json.kept]).toEqual([false, false, false]);

    // 40 wrong passwords at once, half to each server: exactly 10 are checked.
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, n) => {
        const response = await fetch(`${n % 2 ? a.url : b.url}/login`, {
          method: "POST",
          redirect: "manual",
          headers: { Origin: n % 2 ? a.url : b.url, "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ username, password: `wrong guess ${n}` }),
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    const count = (status: number) => statuses.filter((each) => each === status).length;
    expect([count(401), count(429)]).toEqual([10, 30]);
  });
});
