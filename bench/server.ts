// The production server under test: remix-serve started directly (not through
// scripts/start.js), so the child we hold is the process whose memory we measure.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { serverEnv } from "../scripts/server-env.js";

export type Server = {
  url: string;
  pid: number;
  /** The server's log (morgan's line per request goes here, not to a pipe we must drain). */
  logFile: string;
  /** Resident memory now and at its peak (VmHWM) so far, in MB; null once it has exited. */
  memory: () => { rssMb: number; peakRssMb: number } | null;
  /** CPU time the server has used so far, all threads, in ms; null once it has exited. */
  cpuMs: () => number | null;
  stop: () => Promise<void>;
};

export async function startServer({ root, databaseUrl, logFile }: { root: string; databaseUrl: string; logFile: string }): Promise<Server> {
  const port = await freePort();
  const log = fs.openSync(logFile, "a");
  const child = spawn(
    process.execPath,
    [path.join(root, "node_modules", "@remix-run", "serve", "dist", "cli.js"), path.join(root, "build", "server", "index.js")],
    {
      cwd: root,
      env: serverEnv({
        ...process.env,
        NODE_ENV: "production",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: databaseUrl,
        SESSION_SECRET: "bench-session-secret",
      }),
      stdio: ["ignore", log, log],
    },
  );
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error("The server did not start.");

  const running = () => child.exitCode === null && child.signalCode === null;
  const server: Server = {
    url: `http://127.0.0.1:${port}`,
    pid,
    logFile,
    memory: () => (running() ? readMemory(pid) : null),
    cpuMs: () => (running() ? readCpuMs(pid) : null),
    async stop() {
      if (!running()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitForHealth(server.url, running);
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n${tail(logFile)}`);
  }
  return server;
}

/** Follows the server's resident memory while a load runs; `peakMb()` is the highest seen. */
export function sampleMemory(server: Server, everyMs = 100) {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, server.memory()?.rssMb ?? 0));
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

function readMemory(pid: number) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
}

function readCpuMs(pid: number) {
  // utime and stime, fields 14 and 15, counted after the parenthesised command name; in
  // clock ticks of 10 ms (USER_HZ is 100 on Linux).
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, running: () => boolean) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!running()) throw new Error("The server exited during start-up.");
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("The server did not answer /healthz within 30 s.");
}

export function tail(file: string, lines = 30) {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
