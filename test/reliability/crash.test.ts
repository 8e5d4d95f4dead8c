import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { descendants, isAlive, startApp, workerPids, type RunningApp } from "../support/app-server";
import { onPostgres, withTestDatabase } from "../support/database";
import { openReadOnly } from "../support/database-snapshot";
import { HttpClient, uniqueUsername } from "../support/http-client";
import { asBlob, pngImage } from "../support/images";

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

async function start(dataDir: string, options: Parameters<typeof startApp>[0] = {}) {
  const app = await startApp({ ...options, dataDir });
  running.push(app);
  return app;
}

const newDataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "quill-crash-"));

function exited(app: RunningApp): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => app.child.once("exit", () => resolve()));
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The posts stored, and SQLite's own integrity and foreign-key checks (PostgreSQL enforces both itself). */
async function postsIn(app: RunningApp) {
  let integrity: unknown[] = ["ok"];
  let foreignKeyProblems: unknown[] = [];
  if (!onPostgres) {
    const db = openReadOnly(app.databaseFile);
    try {
      integrity = db.prepare("PRAGMA integrity_check").pluck().all();
      foreignKeyProblems = db.prepare("PRAGMA foreign_key_check").all();
    } finally {
      db.close();
    }
  }
  const rows = await withTestDatabase(app.databaseUrl, (db) =>
    // An expression's integer comes back from raw SQL as a bigint on SQLite, a number on PostgreSQL.
    db.$queryRaw<{ id: number; title: string; hasImage: number | bigint }[]>`SELECT "p"."id", "p"."title",
      CASE WHEN "i"."hash" IS NOT NULL THEN 1 ELSE 0 END AS "hasImage"
      FROM "Post" AS "p" LEFT JOIN "Image" AS "i" ON "i"."hash" = "p"."imageHash"`,
  );
  return { integrity, foreignKeyProblems, posts: new Map(rows.map((row) => [row.id, { ...row, hasImage: Number(row.hasImage) }])) };
}

describe("crash safety", () => {
  it("keeps every acknowledged write when the server is killed (SIGKILL) mid-stream, three times over", async () => {
    const dataDir = newDataDir();
    let app = await start(dataDir);
    const username = await new HttpClient(app.url).signup(uniqueUsername("writer"));
    const image = asBlob(await pngImage(96, 64));

    type Write = { id: number; title: string; withImage: boolean };
    const acknowledged: Write[] = [];
    let attempted = 0;
    for (const [round, killAfter] of [60, 45, 75].entries()) {
      const author = new HttpClient(app.url);
      await author.login(username);
      // Everything at once, as a power cut or the OOM killer of a container would: the
      // primary and every worker.
      const pids = [app.child.pid!, ...workerPids(app)];
      const before = acknowledged.length;
      // Four writers at once, every third post with an image, until the server is gone.
      const writers = Array.from({ length: 4 }, async (_, writer) => {
        for (let n = 0; ; n++) {
          const title = `Crash ${round}: writer ${writer}, post ${n}`;
          const withImage = n % 3 === 0;
          attempted++;
          try {
            const id = await author.createPost({ title, text: `written by ${writer}`, image: withImage ? image : undefined });
            acknowledged.push({ id, title, withImage });
          } catch {
            return; // refused or cut off: the server was killed
          }
        }
      });
      await waitFor(() => acknowledged.length - before >= killAfter, 60_000, `${killAfter} acknowledged writes`);
      for (const pid of pids) process.kill(pid, "SIGKILL");
      await Promise.all(writers);
      await exited(app);
      expect(app.child.exitCode).not.toBe(0);
      app = await start(dataDir);
    }

    const { integrity, foreignKeyProblems, posts } = await postsIn(app);
    expect(integrity).toEqual(["ok"]);
    expect(foreignKeyProblems).toEqual([]);
    const missing = acknowledged.filter((write) => posts.get(write.id)?.title !== write.title || Boolean(posts.get(write.id)?.hasImage) !== write.withImage);
    expect(missing).toEqual([]);
    for (const write of acknowledged.slice(-5)) expect((await fetch(`${app.url}/${write.id}`)).status).toBe(200);

    const found = acknowledged.length - missing.length;
    console.log(
      `[crash] 3 SIGKILLs: writes attempted ${attempted}, acknowledged ${acknowledged.length}, found after restart ${found}, ` +
        `stored but never acknowledged ${posts.size - found}, integrity ${integrity.join(",")}`,
    );
  });
});

// How a server gets told to stop: `kill <pid>` on npm start's process, Ctrl-C in a terminal
// (SIGINT to the whole process group), systemd (SIGTERM to the whole group).
const stops = [
  { name: "SIGTERM to npm start's process", signal: "SIGTERM", group: false },
  { name: "SIGINT to the whole process group (Ctrl-C)", signal: "SIGINT", group: true },
  { name: "SIGTERM to the whole process group (systemd)", signal: "SIGTERM", group: true },
] as const;

describe("stopping", () => {
  it.each(stops)("on $name, finishes the uploads in flight in every worker, refuses new connections, exits 0 and leaves no process", async ({ signal, group }) => {
    const dataDir = newDataDir();
    const app = await startApp({ dataDir, processGroup: group });
    running.push(app);
    const workers = workerPids(app);
    expect(workers).toHaveLength(2);
    const cookies = await uploaders(app, 4);
    const picture = Buffer.from(await pngImage(1800, 1200, "#e76f51"));
    // Browsers keep connections open between requests, and so do these agents: one holds an
    // idle connection from an earlier request, the other carries the uploads, one
    // connection each, which the workers take in turn.
    const idleAgent = new http.Agent({ keepAlive: true });
    const idleSocketClosed = await new Promise<Promise<void>>((resolve) =>
      http.get(`${app.url}/healthz`, { agent: idleAgent }, (response) => {
        const closed = new Promise<void>((done) => response.socket.once("close", () => done()));
        response.resume().on("end", () => resolve(closed));
      }),
    );
    const agent = new http.Agent({ keepAlive: true });
    const uploads = cookies.map((cookie, n) => slowUpload(app, cookie, agent, `Uploaded during shutdown ${n}`, picture));
    await Promise.all(uploads.map((upload) => upload.halfSent));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the server has their headers

    const signalled = performance.now();
    process.kill(group ? -app.child.pid! : app.child.pid!, signal);
    await waitFor(async () => !(await acceptsConnections(app.port)), 5_000, "the port to close");
    const refusedAfter = performance.now() - signalled;
    await idleSocketClosed;

    const answers = await Promise.all(uploads.map((upload) => upload.finish()));
    const answeredAfter = performance.now() - signalled;
    for (const answer of answers) {
      expect(answer.status).toBe(302);
      expect(answer.location).toMatch(/^\/\d+$/);
    }
    await exited(app);
    const exitedAfter = performance.now() - signalled;
    expect(app.child.exitCode).toBe(0);
    // Not held open by the keep-alive connections the uploads came on.
    expect(exitedAfter - answeredAfter).toBeLessThan(2_000);
    agent.destroy();
    idleAgent.destroy();
    // Every worker had uploads to finish, and none is left running.
    const inFlight = [...app.output().matchAll(/\[quill\] worker (\d+): SIG\w+, finishing (\d+) requests? in flight/g)];
    expect(new Set(inFlight.map((line) => Number(line[1])))).toEqual(new Set(workers));
    for (const line of inFlight) expect(Number(line[2]), line[0]).toBeGreaterThanOrEqual(1);
    await waitFor(() => workers.every((pid) => !isAlive(pid)), 2_000, "the workers to be gone");

    const restarted = await start(dataDir);
    const { posts } = await postsIn(restarted);
    for (const answer of answers) expect(posts.get(Number(answer.location.slice(1)))?.hasImage).toBe(1);
    console.log(
      `[${signal}${group ? " to the group" : ""}] 4 uploads in flight in 2 workers: new connections refused after ${refusedAfter.toFixed(0)} ms, ` +
        `all answered 302 after ${answeredAfter.toFixed(0)} ms, every process exited with 0 after ${exitedAfter.toFixed(0)} ms`,
    );
  });

  it("on SIGTERM to npm alone (`npm start`'s own process), still finishes the uploads and leaves no process behind", async () => {
    // npm passes the signal to the `sh -c` it runs scripts/start.js under, and that shell dies
    // without passing it on: scripts/start.js takes its parent's death for a SIGTERM.
    const app = await start(newDataDir(), { command: ["npm", "start"] });
    const processes = descendants(app.child.pid!);
    expect(processes.filter((each) => each.command.includes(path.join("build", "http", "index.js")))).toHaveLength(2);
    try {
      const cookies = await uploaders(app, 4);
      const picture = Buffer.from(await pngImage(1800, 1200, "#264653"));
      const agent = new http.Agent({ keepAlive: true });
      const uploads = cookies.map((cookie, n) => slowUpload(app, cookie, agent, `Uploaded while npm stops ${n}`, picture));
      await Promise.all(uploads.map((upload) => upload.halfSent));
      await new Promise((resolve) => setTimeout(resolve, 300));

      process.kill(app.child.pid!, "SIGTERM");
      await waitFor(() => app.output().includes("[quill] SIGTERM: finishing the requests in flight"), 5_000, "the primary to stop");
      const answers = await Promise.all(uploads.map((upload) => upload.finish()));
      for (const answer of answers) expect(answer.status).toBe(302);
      agent.destroy();
      await waitFor(() => processes.every((each) => !isAlive(each.pid)), 5_000, "every process to be gone");
    } finally {
      for (const each of processes) if (isAlive(each.pid)) process.kill(each.pid, "SIGKILL");
    }
  });

  it("on SIGTERM to one worker, finishes its uploads and starts another, while the others keep serving", async () => {
    const app = await start(newDataDir());
    const cookies = await uploaders(app, 4);
    const picture = Buffer.from(await pngImage(1800, 1200, "#2a9d8f"));
    const agent = new http.Agent({ keepAlive: true });
    const uploads = cookies.map((cookie, n) => slowUpload(app, cookie, agent, `Uploaded while a worker stops ${n}`, picture));
    await Promise.all(uploads.map((upload) => upload.halfSent));
    await new Promise((resolve) => setTimeout(resolve, 300));

    const [stopped, other] = workerPids(app);
    process.kill(stopped, "SIGTERM");
    await waitFor(() => app.output().includes(`worker ${stopped}: SIGTERM, finishing`), 5_000, "the worker to start draining");
    // New connections go to the other worker (keep-alive ones to this one are closed once idle).
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let n = 0; n < 4; n++) expect(await healthOnNewConnection(app)).toBe(200);
    const answers = await Promise.all(uploads.map((upload) => upload.finish()));
    for (const answer of answers) expect(answer.status).toBe(302);
    agent.destroy();
    await waitFor(() => app.output().includes(`worker ${stopped} stopped (exit code 0)`), 5_000, "the worker to exit 0");
    await waitFor(() => workerPids(app).length === 2, 10_000, "a new worker");
    expect(workerPids(app)).toContain(other);
    expect(workerPids(app)).not.toContain(stopped);
    expect(app.output()).toMatch(new RegExp(`worker ${stopped}: SIGTERM, finishing [1-9]\\d* requests? in flight`));
  });
});

/**
 * Session cookies of `count` new accounts: one upload each, as different people's would be
 * (a process takes only a few images per account at a time, and refuses more with 503).
 */
async function uploaders(app: RunningApp, count: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let n = 0; n < count; n++) {
    const author = new HttpClient(app.url);
    await author.signup(uniqueUsername("uploader"));
    cookies.push(author.cookie!);
  }
  return cookies;
}

function healthOnNewConnection(app: RunningApp): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(`${app.url}/healthz`, { agent: false }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    }).on("error", reject);
  });
}

/** A multipart upload whose body stops halfway until `finish()` sends the rest. */
function slowUpload(app: RunningApp, cookie: string, agent: http.Agent, title: string, image: Buffer) {
  const boundary = "----quill-slow-upload";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${title}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nsent slowly\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="slow.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const body = Buffer.concat([head, image, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const half = body.length >> 1;
  const request = http.request(`${app.url}/new`, {
    method: "POST",
    agent,
    headers: {
      Cookie: cookie,
      Origin: app.url,
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
      "Content-Length": body.length,
    },
  });
  const answer = new Promise<{ status: number; location: string }>((resolve, reject) => {
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode ?? 0, location: String(response.headers.location) }));
    });
    request.on("error", reject);
  });
  const halfSent = new Promise<void>((resolve) => request.write(body.subarray(0, half), () => resolve()));
  return {
    halfSent,
    finish() {
      request.end(body.subarray(half));
      return answer;
    },
  };
}
