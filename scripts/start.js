// `npm start`: apply pending migrations, build if there is no build yet (`--build` to
// force), make sure there is a session secret, then serve the production build with
// WEB_CONCURRENCY worker processes and one image process (server/cluster.ts, built into build/http/). This process is their primary: stop
// signals come here (or to the whole group) and every worker finishes its requests first.
// Works on a fresh clone with no configuration (SQLite under data/).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { databaseConfig } from "../prisma/database-url.js";
import { buildServer, SERVER_OUT } from "./build-server.js";
import { serverEnv } from "./server-env.js";
import { sessionSecrets } from "./session-secret.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const serverBuild = path.join(root, "build", "server", "index.js");

/** @param {string} message */
function fail(message) {
  console.error(`[quill] ${message}`);
  process.exit(1);
}

// The server (server/*.ts) is built first: it takes a moment, and it checks the settings.
const rebuild = process.argv.includes("--build");
if (rebuild || !fs.existsSync(path.join(SERVER_OUT, "cluster.js"))) await buildServer();
/** @type {typeof import("../server/cluster.ts")} */
const { runPrimary } = await import(pathToFileURL(path.join(SERVER_OUT, "cluster.js")).href);

// This process is the primary for the server's whole life, so it stays small: the settings
// (zod, ~14 MB) and the migrations (a database driver) are done by processes of their own.
const env = serverEnv(process.env);
const checked = spawnSync(process.execPath, [path.join(SERVER_OUT, "check-config.js")], { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (checked.status !== 0) process.exit(1); // it said which variable is wrong
/** @type {import("../server/config.ts").Env} */
const config = JSON.parse(checked.stdout);

const database = databaseConfig();
console.log(`[quill] database: ${database.kind === "sqlite" ? database.file : "PostgreSQL"}`);
// On PostgreSQL there may be several machines: a secret made here would be this machine's
// alone, and a sign-in would work on one machine only.
if (database.kind === "postgresql" && env.NODE_ENV === "production" && !env.SESSION_SECRET?.trim()) {
  fail("SESSION_SECRET must be set on PostgreSQL: every machine has to sign session cookies with the same secret");
}
if (spawnSync(process.execPath, [path.join(root, "scripts", "migrate.js")], { stdio: "inherit" }).status !== 0) process.exit(1);

if (!fs.existsSync(serverBuild) || rebuild) {
  // Vite's file-by-file listing is for `npm run build`; here one line, unless something fails
  // (warnings and errors still print: vite.config.ts silences the ones that are not ours).
  const started = Date.now();
  const built = spawnSync(path.join(root, "node_modules", ".bin", "remix"), ["vite:build", "--logLevel", "warn"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) fail("remix vite:build failed");
  console.log(`[quill] built the app into build/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Made (or read) once here, so that every worker signs cookies with the same secret.
env.SESSION_SECRET = sessionSecrets({ env }).join(",");

// `npm start` runs this under `sh -c`, and passes a SIGTERM sent to npm on to that shell
// alone, which dies without passing it further: this process would be left running, with
// its workers. So the parent's death counts as a SIGTERM.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, "SIGTERM");
}, 250).unref();

process.exitCode = await runPrimary({ workers: config.WEB_CONCURRENCY, imageProcessMaxMb: config.IMAGE_PROCESS_MAX_MB, env });
