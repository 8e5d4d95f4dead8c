import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { openDatabase, type Connections } from "../../app/utils/db.server";
import { databaseConfig } from "../../prisma/database-url.js";
import { createDatabase, databaseExists } from "./postgres";

const root = path.resolve(import.meta.dirname, "..", "..");
const migrationsDir = path.join(root, "prisma", "migrations");

/**
 * The database this test run is on. `npm test` runs on SQLite; `npm run test:postgres` sets
 * QUILL_TEST_DATABASE=postgresql, and test/support/postgres-setup.ts starts a throwaway
 * server for the run (its URL in QUILL_TEST_POSTGRES_URL).
 */
export const testDatabaseKind: "sqlite" | "postgresql" = process.env.QUILL_TEST_DATABASE === "postgresql" ? "postgresql" : "sqlite";
export const onPostgres = testDatabaseKind === "postgresql";

/** The database made migrated once per run, which each unit test file's database copies. */
export const POSTGRES_TEMPLATE = "quill_template";

function postgresServerUrl() {
  const url = process.env.QUILL_TEST_POSTGRES_URL;
  if (!url) throw new Error("QUILL_TEST_POSTGRES_URL is not set: run through `npm run test:postgres`");
  return url;
}

/** A new SQLite file with every committed migration applied, in order. */
export function createMigratedDatabase(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quill-unit-"));
  const file = path.join(dir, "quill.db");
  const db = new Database(file);
  for (const name of fs.readdirSync(migrationsDir).sort()) {
    const sql = path.join(migrationsDir, name, "migration.sql");
    if (fs.existsSync(sql)) db.exec(fs.readFileSync(sql, "utf8"));
  }
  db.close();
  return file;
}

/** Applies the migrations to the database of `url` the way `npm start` does (scripts/migrate.js). */
export function migrateDatabase(url: string) {
  const result = spawnSync(process.execPath, [path.join(root, "scripts", "migrate.js")], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`scripts/migrate.js failed:\n${result.stdout}${result.stderr}`);
}

/** A new, migrated database of this run's kind; answers its DATABASE_URL. */
export async function createTestDatabase(): Promise<string> {
  if (!onPostgres) return `file:${createMigratedDatabase()}`;
  return createDatabase(postgresServerUrl(), undefined, { template: POSTGRES_TEMPLATE });
}

/**
 * The DATABASE_URL for an app server keeping its data in `dataDir`: the SQLite file there,
 * or on PostgreSQL a database named after the folder (made empty the first time, so the
 * server migrates it as `npm start` would; a restart with the same folder finds its data).
 */
export async function appDatabaseUrl(dataDir: string): Promise<string> {
  if (!onPostgres) return `file:${path.join(dataDir, "quill.db")}`;
  const name = `app_${crypto.createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 16)}`;
  const server = postgresServerUrl();
  if (!(await databaseExists(server, name))) await createDatabase(server, name);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The app's own data access (Prisma Client, with the same adapters as the app) on the database of
 * `url`, for tests that look at what a server stored or change it behind its back.
 * Close it when done.
 */
export function openTestDatabase(url: string): Connections {
  return openDatabase(databaseConfig({ DATABASE_URL: url }));
}

/** Runs `work` with the database of `url` open, and closes it afterwards. */
export async function withTestDatabase<T>(url: string, work: (db: Connections["writer"]) => Promise<T>): Promise<T> {
  const connections = openTestDatabase(url);
  try {
    return await work(connections.writer);
  } finally {
    await connections.close();
  }
}

/** Makes the database of `url` unreadable (healthz tests): garbage in the SQLite file, or the PostgreSQL database dropped. */
export async function breakDatabase(url: string) {
  const config = databaseConfig({ DATABASE_URL: url });
  if (config.kind === "sqlite") {
    fs.writeFileSync(config.file, "this is not a SQLite database, whatever its name says".repeat(100));
    return;
  }
  const server = new URL(config.url);
  const name = decodeURIComponent(server.pathname.slice(1));
  server.pathname = "/postgres";
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
