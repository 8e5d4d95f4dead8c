import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort, startApp, type RunningApp } from "../support/app-server";
import { HttpClient, PASSWORD, uniqueUsername, visibleText } from "../support/http-client";

// `npm run dev` (scripts/dev.js: our server with Vite in middleware mode) starts and works
// while `npm start` and `npm run studio` have the same SQLite file open.
const root = path.resolve(import.meta.dirname, "..", "..");
let app: RunningApp;
const children: ChildProcess[] = [];
let devUrl = "";

function run(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(root, "scripts", script)], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function waitUntil(what: string, ok: () => Promise<boolean>, output: () => string) {
  const deadline = Date.now() + 60_000;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not start:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "quill-dev-"));
  // SQLite, whatever database the other tests run on: Studio and the file lock are the point.
  const databaseUrl = `file:${path.join(dataDir, "quill.db")}`;
  app = await startApp({ dataDir, env: { WEB_CONCURRENCY: "1", DATABASE_URL: databaseUrl } });

  const studioPort = await freePort();
  const studio = run("studio.js", { DATABASE_URL: databaseUrl, STUDIO_PORT: String(studioPort) });
  await waitUntil("Studio", async () => (await fetch(`http://localhost:${studioPort}`)).ok, studio.output);

  const devPort = await freePort();
  devUrl = `http://127.0.0.1:${devPort}`;
  const dev = run("dev.js", { DATABASE_URL: databaseUrl, PORT: String(devPort), HOST: "127.0.0.1", NODE_ENV: "", SESSION_SECRET: "dev-test-secret" });
  await waitUntil("npm run dev", async () => (await fetch(`${devUrl}/healthz`)).ok, dev.output);
}, 150_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGTERM");
  await app?.stop();
});

it("serves the app with hot reloading, through the same middleware as production", async () => {
  const page = await fetch(`${devUrl}/`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain("virtual:remix/inject-hmr-runtime");
  expect(page.headers.get("X-Frame-Options")).toBe("DENY");
  expect(page.headers.get("Content-Security-Policy")).toContain("'unsafe-eval'"); // Vite's needs, in development only

  // Vite's hot-reload socket is on the same port.
  const upgrade = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(new URL(devUrl).port), "127.0.0.1", () =>
      socket.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: vite-hmr\r\n\r\n",
      ),
    );
    socket.once("data", (chunk) => {
      socket.destroy();
      resolve(chunk.toString("latin1"));
    });
    socket.on("error", reject);
  });
  expect(upgrade).toMatch(/^HTTP\/1\.1 101 /);
});

it("writes to the database the production server and Studio have open, and the production server sees it", async () => {
  const author = new HttpClient(devUrl);
  await author.signup(uniqueUsername("dev"));
  const id = await author.createPost({ title: "Written in development" });
  expect(visibleText(await (await fetch(`${app.url}/${id}`)).text())).toContain("Written in development");
  // The same origin check as production.
  const refused = await new HttpClient(devUrl).post("/login", { username: "x", password: PASSWORD }, { origin: "https://evil.example" });
  expect(refused.status).toBe(403);
});
