import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { onPostgres, withTestDatabase } from "../support/database";
import { openReadOnly } from "../support/database-snapshot";
import { HttpClient, uniqueUsername } from "../support/http-client";
import { asBlob, pngImage } from "../support/images";

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

async function start(dataDir: string) {
  const app = await startApp({ dataDir });
  running.push(app);
  return app;
}

const newDataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "quill-crash-"));

/**
 * The process that really serves HTTP: `app.child` is scripts/start.js, which runs
 * migrations and then spawns remix-serve. Found through /proc by parent pid.
 */
function serverProcess(app: RunningApp): number {
  const parent = app.child.pid;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (ppid === parent && command.includes("remix-serve")) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(`no remix-serve process under ${parent}`);
}

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
    db
      .selectFrom("Post as p")
      .leftJoin("Image as i", "i.hash", "p.imageHash")
      .select((eb) => ["p.id", "p.title", eb.case().when("i.hash", "is not", null).then(1).else(0).end().as("hasImage")])
      .execute(),
  );
  return { integrity, foreignKeyProblems, posts: new Map(rows.map((row) => [row.id, row])) };
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
      const serverPid = serverProcess(app);
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
      process.kill(serverPid, "SIGKILL");
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

  it("on SIGTERM, finishes the uploads in flight, refuses new connections, and exits", async () => {
    const dataDir = newDataDir();
    const app = await start(dataDir);
    const author = new HttpClient(app.url);
    await author.signup(uniqueUsername("uploader"));
    const picture = Buffer.from(await pngImage(1800, 1200, "#e76f51"));
    // Browsers keep connections open between requests, and so do these agents: one holds an
    // idle connection from an earlier request, the other carries the uploads.
    const idleAgent = new http.Agent({ keepAlive: true });
    const idleSocketClosed = await new Promise<Promise<void>>((resolve) =>
      http.get(`${app.url}/healthz`, { agent: idleAgent }, (response) => {
        const closed = new Promise<void>((done) => response.socket.once("close", () => done()));
        response.resume().on("end", () => resolve(closed));
      }),
    );
    const agent = new http.Agent({ keepAlive: true });
    const uploads = [1, 2, 3].map((n) => slowUpload(app, author.cookie!, agent, `Uploaded during shutdown ${n}`, picture));
    await Promise.all(uploads.map((upload) => upload.halfSent));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the server has their headers

    const signalled = performance.now();
    app.child.kill("SIGTERM");
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

    const restarted = await start(dataDir);
    const { posts } = await postsIn(restarted);
    for (const answer of answers) expect(posts.get(Number(answer.location.slice(1)))?.hasImage).toBe(1);
    console.log(
      `[sigterm] 3 uploads in flight: new connections refused after ${refusedAfter.toFixed(0)} ms, ` +
        `all answered 302 after ${answeredAfter.toFixed(0)} ms, process exited with 0 after ${exitedAfter.toFixed(0)} ms`,
    );
  });
});

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
