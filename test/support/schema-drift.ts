import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { diffSql, postgresMigrationNames, postgresTwin, sqliteMigrationNames, type PrismaPaths } from "../../scripts/db-migration";
import { createDatabase } from "./postgres";

/**
 * What a database's schema is made of, in a form that does not depend on how it got there:
 * columns sorted by name (ALTER TABLE ADD COLUMN puts a column last, a CREATE TABLE in
 * schema order), indexes, keys and foreign keys with their rules.
 */
export type SchemaShape = Record<string, unknown>;

/** The shape of a SQLite database, without Prisma's bookkeeping. */
export function sqliteShape(file: string): SchemaShape {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name`)
      .all() as { name: string; sql: string }[];
    const shape: SchemaShape = {};
    for (const { name, sql } of tables) {
      const quoted = `"${name}"`;
      const columns = db.prepare(`PRAGMA table_info(${quoted})`).all() as { name: string }[];
      const indexes = (db.prepare(`PRAGMA index_list(${quoted})`).all() as { name: string; unique: number; origin: string; partial: number }[]).map(
        (index) => ({
          ...index,
          seq: undefined,
          columns: (db.prepare(`PRAGMA index_info("${index.name}")`).all() as { name: string }[]).map((column) => column.name),
        }),
      );
      shape[name] = {
        autoincrement: /AUTOINCREMENT/i.test(sql),
        columns: columns.map((column) => ({ ...column, cid: undefined })).sort((x, y) => x.name.localeCompare(y.name)),
        indexes: indexes.sort((x, y) => x.name.localeCompare(y.name)),
        foreignKeys: (db.prepare(`PRAGMA foreign_key_list(${quoted})`).all() as Record<string, unknown>[])
          .map(({ table, from, to, on_update, on_delete }) => ({ table, from, to, on_update, on_delete }))
          .sort((x, y) => String(x.from).localeCompare(String(y.from))),
      };
    }
    return shape;
  } finally {
    db.close();
  }
}

/** The shape of a PostgreSQL database's public schema, without node-pg-migrate's bookkeeping. */
export async function postgresShape(url: string): Promise<SchemaShape> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ignored = ["_migrations", "_migrations_id_seq"];
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length, numeric_precision, datetime_precision
       FROM information_schema.columns WHERE table_schema = 'public' AND NOT (table_name = ANY($1)) ORDER BY table_name, column_name`,
      [ignored],
    );
    const constraints = await client.query(
      `SELECT conrelid::regclass::text AS "table", conname, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND NOT (conrelid::regclass::text = ANY($1)) ORDER BY 1, 2`,
      [ignored.map((name) => `"${name}"`).concat(ignored)],
    );
    const indexes = await client.query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND NOT (tablename = ANY($1)) ORDER BY 1, 2`,
      [ignored],
    );
    const sequences = await client.query(
      `SELECT sequence_name, data_type FROM information_schema.sequences WHERE sequence_schema = 'public' AND NOT (sequence_name = ANY($1)) ORDER BY 1`,
      [ignored],
    );
    return { columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows, sequences: sequences.rows };
  } finally {
    await client.end();
  }
}

function tempSqliteFile() {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "quill-drift-")), "quill.db");
}

async function runOnPostgres(url: string, scripts: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const script of scripts) {
      await client.query("BEGIN");
      await client.query(script);
      await client.query("COMMIT");
    }
  } finally {
    await client.end();
  }
}

export type Drift = {
  /** SQLite: every migration in prisma/migrations applied, and the schema made at once. */
  sqlite: { migrated: SchemaShape; fromSchema: SchemaShape };
  /** PostgreSQL: every migration in prisma/postgresql/migrations applied, and the schema made at once. */
  postgresql: { migrated: SchemaShape; fromSchema: SchemaShape };
};

/**
 * Builds four databases: each database's migrations applied in order to an empty one, and
 * the current schema's from-empty SQL (`prisma migrate diff --from-empty`) applied to
 * another; and answers their shapes. Where a pair differs, the migrations and the schema
 * disagree. `postgresServer` is the URL of any database on a running PostgreSQL server.
 */
export async function schemaDrift(paths: PrismaPaths, postgresServer: string): Promise<Drift> {
  const schema = fs.readFileSync(paths.schema, "utf8");

  const migratedFile = tempSqliteFile();
  const migrated = new Database(migratedFile);
  for (const name of sqliteMigrationNames(paths)) migrated.exec(fs.readFileSync(path.join(paths.sqliteMigrations, name, "migration.sql"), "utf8"));
  migrated.close();
  const freshFile = tempSqliteFile();
  const fresh = new Database(freshFile);
  fresh.exec(diffSql({ from: null, to: schema }));
  fresh.close();

  const migratedUrl = await createDatabase(postgresServer);
  await runOnPostgres(
    migratedUrl,
    postgresMigrationNames(paths).map((name) => fs.readFileSync(path.join(paths.postgresMigrations, `${name}.sql`), "utf8")),
  );
  const freshUrl = await createDatabase(postgresServer);
  await runOnPostgres(freshUrl, [diffSql({ from: null, to: postgresTwin(schema), postgresUrl: postgresServer })]);

  try {
    return {
      sqlite: { migrated: sqliteShape(migratedFile), fromSchema: sqliteShape(freshFile) },
      postgresql: { migrated: await postgresShape(migratedUrl), fromSchema: await postgresShape(freshUrl) },
    };
  } finally {
    for (const file of [migratedFile, freshFile]) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
