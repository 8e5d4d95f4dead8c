// `npm start`: apply migrations, build if there is no build yet, then serve with
// remix-serve. Works on a fresh clone with no configuration (SQLite under data/).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { databaseConfig } from "../prisma/database-url.js";
import { migrate } from "./migrate.js";
import { serverEnv } from "./server-env.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const serverBuild = path.join(root, "build", "server", "index.js");

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    console.error(`[quill] ${path.basename(command)} ${args.join(" ")} failed`);
    process.exit(result.status ?? 1);
  }
}

const database = databaseConfig();
console.log(`[quill] database: ${database.kind === "sqlite" ? database.file : "PostgreSQL"}`);
// On PostgreSQL there may be several machines: a secret made here would be this machine's
// alone, and a sign-in would work on one machine only.
if (database.kind === "postgresql" && serverEnv(process.env).NODE_ENV === "production" && !process.env.SESSION_SECRET?.trim()) {
  console.error("[quill] SESSION_SECRET must be set on PostgreSQL: every machine has to sign session cookies with the same secret");
  process.exit(1);
}
try {
  await migrate();
} catch (error) {
  console.error(`[quill] ${error.message}`);
  process.exit(1);
}
if (!fs.existsSync(serverBuild) || process.argv.includes("--build")) run(bin("remix"), ["vite:build"]);

const server = spawn(bin("remix-serve"), [serverBuild], {
  cwd: root,
  stdio: "inherit",
  env: serverEnv(process.env),
});
// Pass stop signals on, so remix-serve can finish the requests in flight.
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
