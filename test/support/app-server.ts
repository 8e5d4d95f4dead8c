import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { appDatabaseUrl } from "./database";
import { processTree } from "./process-memory";

export type RunningApp = {
  url: string;
  port: number;
  /** The server's DATABASE_URL: SQLite, or PostgreSQL under `npm run test:postgres` (test/support/database.ts). */
  databaseUrl: string;
  /** The SQLite file (on SQLite runs only). */
  databaseFile: string;
  dataDir: string;
  /** The process `npm start` runs (scripts/start.js): migrations, then the primary of the worker processes. */
  child: ChildProcess;
  /** Everything the server printed so far. */
  output: () => string;
  /** SIGTERM and wait for the exit (SIGKILL after 10 s). */
  stop: () => Promise<void>;
};

const root = path.resolve(import.meta.dirname, "..", "..");
const serverBuild = path.join(root, "build", "server", "index.js");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the production build the way `npm start` does (scripts/start.js: migrations, then
 * the server's worker processes) on a free loopback port, with a brand-new database unless
 * `dataDir` names an existing one's folder (`env.DATABASE_URL` overrides it, e.g. two servers
 * on one PostgreSQL database). Two workers, as on this project's two-core machine, unless
 * `env` says otherwise (WEB_CONCURRENCY).
 */
export async function startApp(
  options: {
    dataDir?: string;
    env?: Record<string, string>;
    /** Instead of scripts/start.js (e.g. `npm start`, or plain remix-serve). */
    command?: string[];
    /** In a process group of its own, to be signalled as a whole as systemd and Ctrl-C do. */
    processGroup?: boolean;
    /** The log line that says every worker is listening; null for a server that prints none. */
    ready?: RegExp | null;
  } = {},
): Promise<RunningApp> {
  if (!fs.existsSync(serverBuild)) throw new Error("No production build: run `npm run build` first.");
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "quill-test-"));
  const databaseFile = path.join(dataDir, "quill.db");
  const databaseUrl = options.env?.DATABASE_URL ?? (await appDatabaseUrl(dataDir));
  const port = await freePort();
  let output = "";
  const [command, ...args] = options.command ?? [process.execPath, path.join(root, "scripts", "start.js")];
  const child = spawn(command, args, {
    detached: options.processGroup ?? false,
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      WEB_CONCURRENCY: "2",
      // Every test signs up from 127.0.0.1; the limit itself is tested with its default.
      SIGNUP_LIMIT_PER_HOUR: "100000",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));

  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, () => output, options.ready === undefined ? /\[quill\] all \d+ worker process(es are| is) listening/ : options.ready);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    port,
    databaseUrl,
    databaseFile,
    dataDir,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, ready: RegExp | null) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The app exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok && (ready === null || ready.test(output()))) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`The app did not become healthy within 60 s:\n${output()}`);
}

/** The processes under `pid` (children, grandchildren...) and their command lines, from /proc. */
export function descendants(pid: number): { pid: number; command: string }[] {
  return processTree(pid)
    .slice(1)
    .map((each) => {
      try {
        return { pid: each, command: fs.readFileSync(`/proc/${each}/cmdline`, "utf8").split("\0").join(" ").trim() };
      } catch {
        return { pid: each, command: "" }; // ended while we looked
      }
    });
}

/** The worker processes serving the app (build/http/index.js, built from server/index.ts, under scripts/start.js). */
export function workerPids(app: RunningApp): number[] {
  return descendants(app.child.pid!)
    .filter((process) => process.command.includes(path.join("build", "http", "index.js")))
    .map((process) => process.pid);
}

/** The pid of the server's image process (server/image-process.ts), once it runs. */
export function imageProcessPid(app: RunningApp): number | undefined {
  return descendants(app.child.pid!).find((process) => process.command.includes(path.join("build", "http", "image-process.cjs")))?.pid;
}

/** Whether a process still exists (a zombie counts as gone). */
export function isAlive(pid: number) {
  try {
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
