// The production server under test, started the way `npm start` does (scripts/start.js:
// the primary and WEB_CONCURRENCY workers with the process settings of scripts/server-env.js).
// Its memory and CPU are those of all its processes together.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export type Server = {
  url: string;
  /** The primary (scripts/start.js); the workers are its children. */
  pid: number;
  webConcurrency: number;
  /** The server's log (the access log's line per request goes here, not to a pipe we must drain). */
  logFile: string;
  /** Resident memory of all its processes now, and the sum of their peaks (VmHWM) so far, in MB; null once it has exited. */
  memory: () => { rssMb: number; peakRssMb: number } | null;
  /** CPU time all its processes have used so far, all threads, in ms; null once it has exited. */
  cpuMs: () => number | null;
  stop: () => Promise<void>;
};

export async function startServer({
  root,
  databaseUrl,
  logFile,
  webConcurrency,
}: {
  root: string;
  databaseUrl: string;
  logFile: string;
  webConcurrency: number;
}): Promise<Server> {
  const port = await freePort();
  const log = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [path.join(root, "scripts", "start.js")], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: "bench-session-secret",
      WEB_CONCURRENCY: String(webConcurrency),
    },
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error("The server did not start.");

  const running = () => child.exitCode === null && child.signalCode === null;
  const server: Server = {
    url: `http://127.0.0.1:${port}`,
    pid,
    webConcurrency,
    logFile,
    memory: () => (running() ? sum(processTree(pid).map(readMemory)) : null),
    cpuMs: () => (running() ? processTree(pid).reduce((total, each) => total + readCpuMs(each), 0) : null),
    async stop() {
      if (!running()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    // Every worker listening: said on a line of its own now, and by "serving on ... with N worker
    // processes" in builds before issue 17 (the bench also runs an older build).
    await waitForHealth(server.url, running, () => /\[quill\] (all \d+ worker process|serving on \S+ with \d+ worker)/.test(fs.readFileSync(logFile, "utf8")));
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n${tail(logFile)}`);
  }
  return server;
}

/** `pid` and its children (the workers), from /proc. */
function processTree(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) children.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return [pid, ...children];
}

function sum(memories: { rssMb: number; peakRssMb: number }[]) {
  return memories.reduce((total, each) => ({ rssMb: total.rssMb + each.rssMb, peakRssMb: total.peakRssMb + each.peakRssMb }), { rssMb: 0, peakRssMb: 0 });
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
  let status = "";
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return { rssMb: 0, peakRssMb: 0 }; // ended while we looked
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
}

function readCpuMs(pid: number) {
  // utime and stime, fields 14 and 15, counted after the parenthesised command name; in
  // clock ticks of 10 ms (USER_HZ is 100 on Linux).
  let stat = "";
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return 0;
  }
  const fields = stat.split(") ")[1].split(" ");
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

async function waitForHealth(url: string, running: () => boolean, allListening: () => boolean) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!running()) throw new Error("The server exited during start-up.");
    try {
      if ((await fetch(`${url}/healthz`)).ok && allListening()) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("The server did not answer /healthz within 60 s.");
}

export function tail(file: string, lines = 30) {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
