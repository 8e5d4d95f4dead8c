import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * A throwaway PostgreSQL server for tests and the bench: a new cluster in a temporary
 * folder, on a free 127.0.0.1 port, that trusts every local connection. It is stopped and
 * its folder removed by `stop()`, and also when the process exits or gets Ctrl-C/SIGTERM.
 *
 * Debian's PostgreSQL (`apt-get install postgresql`) is found under /usr/lib/postgresql;
 * set POSTGRES_BIN to use another. `initdb` and `pg_ctl` refuse to run as root, so as root
 * they run as the `postgres` user the package creates.
 */
export type PostgresCluster = {
  port: number;
  /** The URL of a database on this server (default: `postgres`, the one that always exists). */
  url: (database?: string) => string;
  /** Creates an empty database (or a copy of `template`) and answers its URL. */
  createDatabase: (name?: string, options?: { template?: string }) => Promise<string>;
  stop: () => void;
};

const SUPERUSER = "postgres";

export function postgresBinDir(): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base)
    ? fs.readdirSync(base).filter((name) => fs.existsSync(path.join(base, name, "bin", "pg_ctl")))
    : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error("PostgreSQL is not installed (apt-get install postgresql), or set POSTGRES_BIN");
  return path.join(base, newest, "bin");
}

export function isPostgresInstalled() {
  try {
    postgresBinDir();
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
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

/** Runs a PostgreSQL program, as the `postgres` user when we are root. */
function runTool(bin: string, tool: string, args: string[], owner: { uid: number; gid: number } | null) {
  const command = owner ? "runuser" : path.join(bin, tool);
  const fullArgs = owner ? ["-u", SUPERUSER, "--", path.join(bin, tool), ...args] : args;
  return spawnSync(command, fullArgs, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const result = spawnSync("id", ["-u", SUPERUSER], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", SUPERUSER], { encoding: "utf8" });
  if (result.status !== 0) throw new Error("Running as root, but there is no `postgres` user to run PostgreSQL as");
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

const running = new Set<() => void>();
let exitHooksInstalled = false;

// Clusters still running when the process ends are stopped synchronously ("exit" allows
// no waiting). On Ctrl-C or SIGTERM: stop them, then die of the same signal as before.
function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on("exit", () => {
    for (const stop of [...running]) stop();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      for (const stop of [...running]) stop();
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Starts a new, empty PostgreSQL server (0.5-2 s). */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const owner = postgresUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quill-pg-"));
  const dataDir = path.join(dir, "data");
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  let started = false;
  const stop = () => {
    running.delete(stop);
    if (started) runTool(bin, "pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-s"], owner);
    started = false;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  running.add(stop);
  installExitHooks();
  try {
    const init = runTool(bin, "initdb", ["--no-sync", "-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--locale=C", "-D", dataDir], owner);
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
    // A port found free may be taken before the server binds it: try another then.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
      const start = runTool(bin, "pg_ctl", ["start", "-w", "-s", "-D", dataDir, "-l", path.join(dir, "server.log"), "-o", options], owner);
      if (start.status === 0) {
        started = true;
        return cluster(port, stop);
      }
      if (attempt === 3) {
        const log = fs.existsSync(path.join(dir, "server.log")) ? fs.readFileSync(path.join(dir, "server.log"), "utf8") : "";
        throw new Error(`pg_ctl start failed:\n${start.stdout}${start.stderr}\n${log}`);
      }
    }
  } catch (error) {
    stop();
    throw error;
  }
}

function cluster(port: number, stop: () => void): PostgresCluster {
  const url = (database = "postgres") => `postgresql://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    stop,
    createDatabase: (name, options) => createDatabase(url(), name, options),
  };
}

/**
 * Creates a database on the server of `serverUrl` (a URL of any database on it) and
 * answers the new database's URL. Names are made unique unless given.
 */
export async function createDatabase(serverUrl: string, name = `quill_${crypto.randomBytes(6).toString("hex")}`, { template }: { template?: string } = {}) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const ident = (value: string) => `"${value.replace(/"/g, '""')}"`;
    await client.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ""}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Whether a database of that name exists on the server of `serverUrl`. */
export async function databaseExists(serverUrl: string, name: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}
