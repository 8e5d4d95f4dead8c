// Brings the database's schema up to date: used by `npm start`, `npm run dev`, the bench and
// the tests, before any server process starts.
//
// PostgreSQL: node-pg-migrate applies prisma/postgresql/migrations (plain SQL files written
// by `npm run db:migration`), all pending ones in one transaction, under an advisory lock
// that a second machine starting at the same moment waits for; it then finds nothing left
// to do. (Prisma's own `migrate deploy` cannot run on PostgreSQL through its JavaScript
// engine: see docs/decisions/010-postgresql.md.)
//
// SQLite: `prisma migrate deploy` locks the whole file while it runs, and fails after 5 s
// when anything else has it open (a running server, Studio, a sqlite3 shell). So it only
// runs when a migration is pending, which a read of Prisma's own `_prisma_migrations`
// table tells without any lock; and when the file stays locked, it waits and says so.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { databaseConfig } from "../prisma/database-url.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");
const sqliteMigrations = path.join(root, "prisma", "migrations");
const postgresMigrations = path.join(root, "prisma", "postgresql", "migrations");
// node-pg-migrate's record of what it applied (Prisma's on SQLite is _prisma_migrations).
export const POSTGRES_MIGRATIONS_TABLE = "_migrations";

const LOCKED_RETRY_MS = 2_000;
const LOCKED_GIVE_UP_MS = 120_000;

/** Names of the committed SQLite migrations, oldest first. */
export function sqliteMigrationNames() {
  return fs
    .readdirSync(sqliteMigrations)
    .filter((name) => fs.existsSync(path.join(sqliteMigrations, name, "migration.sql")))
    .sort();
}

/**
 * The migrations the SQLite file lacks, read without taking any lock (a missing file or
 * table lacks them all).
 * @param {string} file
 */
export function pendingSqliteMigrations(file) {
  const all = sqliteMigrationNames();
  if (!fs.existsSync(file)) return all;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
    if (!table) return all;
    const applied = new Set(
      db
        .prepare(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)
        .pluck()
        .all(),
    );
    return all.filter((name) => !applied.has(name));
  } finally {
    db.close();
  }
}

/** Applies pending migrations; exits the process with a one-line reason when it cannot. */
export async function migrate({ log = console.log } = {}) {
  const config = databaseConfig();
  if (config.kind === "postgresql") return migratePostgres(config.url, log);
  fs.mkdirSync(path.dirname(config.file), { recursive: true });
  const pending = pendingSqliteMigrations(config.file);
  if (pending.length === 0) return;
  log(`[quill] applying ${pending.length} migration${pending.length === 1 ? "" : "s"}: ${pending.join(", ")}`);
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const result = spawnSync(process.execPath, [prismaCli, "migrate", "deploy"], { cwd: root, encoding: "utf8", env: process.env });
    if (result.status === 0) return;
    const output = `${result.stdout}${result.stderr}`;
    const locked = /SocketTimeout|database is locked|SQLITE_BUSY/i.test(output);
    if (!locked) {
      process.stderr.write(output);
      throw new Error("prisma migrate deploy failed (its output is above)");
    }
    if (Date.now() - started > LOCKED_GIVE_UP_MS) {
      throw new Error(`${config.file} stayed locked for ${LOCKED_GIVE_UP_MS / 1000} s; close the other program and start again`);
    }
    if (attempt === 1) {
      log(`[quill] waiting for ${config.file}: another program (a server, Prisma Studio, a sqlite3 shell) has it locked, and migrations need it alone`);
    }
    await new Promise((resolve) => setTimeout(resolve, LOCKED_RETRY_MS));
  }
}

/**
 * @param {string} url
 * @param {(line: string) => void} log
 */
async function migratePostgres(url, log) {
  const { runner } = await import("node-pg-migrate");
  const quiet = () => {};
  const applied = await runner({
    databaseUrl: url,
    dir: postgresMigrations,
    migrationsTable: POSTGRES_MIGRATIONS_TABLE,
    direction: "up",
    singleTransaction: true,
    checkOrder: true,
    // Another machine migrating right now: wait for it (then there is nothing left to do).
    advisoryLockMode: "wait",
    logger: { debug: quiet, info: quiet, warn: (message) => log(`[quill] ${message}`), error: (message) => log(`[quill] ${message}`) },
  });
  if (applied.length > 0) {
    log(`[quill] applied ${applied.length} PostgreSQL migration${applied.length === 1 ? "" : "s"}: ${applied.map((m) => m.name).join(", ")}`);
  }
}

// `node scripts/migrate.js`: the same, on its own.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  migrate().catch((error) => {
    console.error(`[quill] ${error.message}`);
    process.exit(1);
  });
}
