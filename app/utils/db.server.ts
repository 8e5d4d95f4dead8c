import { data } from "@remix-run/node";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql, type Compilable, type CompiledQuery, type SqliteDatabase, type SqliteStatement } from "kysely";
import pg from "pg";
import type { DB } from "~/generated/kysely/database";
import { databaseConfig, type DatabaseConfig } from "../../prisma/database-url.js";
import { env } from "~/utils/env.server";

// All reads and writes go through Kysely, with types generated from prisma/schema.prisma,
// on SQLite or PostgreSQL alike: one query, written once, for both
// (docs/decisions/008-data-access.md).

export type Database = Kysely<DB>;

/**
 * The largest id there can be: Prisma's Int is 32-bit (PostgreSQL's integer). A larger
 * number must not reach a query, where PostgreSQL would refuse it as out of range.
 */
export const MAX_ID = 2_147_483_647;

export const DATABASE_BUSY_MESSAGE =
  "The site is busy saving other changes, so nothing was saved. Please try again in a moment.";

/**
 * What `write` throws when SQLite's write lock stays taken (another process is writing):
 * the answer itself, a 503 with Retry-After, so a route that does nothing about it still
 * says the right thing; forms catch it (isDatabaseBusy) to come back with what was typed.
 * (A Remix `data()` value rather than an Error or Response subclass: remix-serve swaps the
 * global Response after the app is loaded, which breaks `instanceof`.)
 */
function databaseBusy() {
  return data(DATABASE_BUSY_MESSAGE, {
    status: 503,
    headers: { "Retry-After": "2", "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export function isDatabaseBusy(error: unknown): boolean {
  const thrown = error as { type?: unknown; data?: unknown } | null;
  return typeof thrown === "object" && thrown !== null && thrown.type === "DataWithResponseInit" && thrown.data === DATABASE_BUSY_MESSAGE;
}

export type Connections = {
  config: DatabaseConfig;
  /** Every write, in `write()` transactions; on PostgreSQL, every read too. */
  writer: Database;
  /** Reads; on SQLite a read-only connection of its own, which never waits for the writer. */
  reader: Database;
  close: () => Promise<void>;
};

// How long a write may wait for SQLite's lock held by another process before the answer is
// a 503. It waits with timers, never by blocking: better-sqlite3's own busy timeout sleeps
// on the JavaScript thread, which froze every other request of the process meanwhile.
const WRITE_WAIT_MS = 5_000;

// Per-connection settings for a web server: WAL lets readers run beside the writer,
// NORMAL sync is durable in WAL mode except across power loss, and a 20 MB page cache
// keeps the hot pages of the post list in memory.
const SQLITE_PRAGMAS = ["journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "cache_size = -20000"];

/**
 * better-sqlite3 as Kysely's SQLite dialect wants it, but keeping each prepared statement:
 * Kysely prepares every query anew, and preparing costs more than running the busiest
 * reads. The SQL strings are parameterized, so there are only as many as the app has queries.
 */
function keepingStatements(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string): SqliteStatement {
      let statement = statements.get(text);
      if (!statement) {
        statement = database.prepare(text);
        if (statements.size < 1_000) statements.set(text, statement);
      }
      return statement as unknown as SqliteStatement;
    },
  };
}

function openSqlite(file: string): Connections {
  const writerDatabase = new BetterSqlite3(file, { timeout: 0 });
  for (const pragma of SQLITE_PRAGMAS) writerDatabase.pragma(pragma);
  // The reader waits a little for a lock only in rare moments (recovering the WAL after a
  // crash); it never waits for writers.
  const readerDatabase = new BetterSqlite3(file, { fileMustExist: true, timeout: 100 });
  readerDatabase.pragma("query_only = ON");
  readerDatabase.pragma("cache_size = -20000");
  const writer = new Kysely<DB>({ dialect: new SqliteDialect({ database: keepingStatements(writerDatabase) }) });
  const reader = new Kysely<DB>({ dialect: new SqliteDialect({ database: keepingStatements(readerDatabase) }) });
  return {
    config: { kind: "sqlite", file },
    writer,
    reader,
    close: async () => {
      await reader.destroy();
      await writer.destroy();
    },
  };
}

// PostgreSQL's timestamp(3) columns (Prisma's DateTime) read as ISO 8601 text, the same as
// SQLite gives; counts (int8) as numbers.
const PG_TIMESTAMP = 1114;
const PG_TIMESTAMPTZ = 1184;
const PG_INT8 = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === PG_TIMESTAMP) return (value: string) => `${value.replace(" ", "T")}Z`;
    if (oid === PG_TIMESTAMPTZ) return (value: string) => new Date(value).toISOString();
    if (oid === PG_INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function openPostgres(url: string): Connections {
  const pool = new pg.Pool({
    connectionString: url,
    max: env().DATABASE_POOL_SIZE,
    types: pgTypes,
    // Idle connections do not keep the process alive: a server told to stop exits once its
    // last answer is sent, not 10 s later when the pool would close them.
    allowExitOnIdle: true,
    // A row or table another session keeps locked (a long transaction in psql, a migration)
    // is waited for as long as SQLite's lock is, then the write answers 503 (write()).
    options: `-c lock_timeout=${WRITE_WAIT_MS}`,
  });
  // An idle client that loses its connection (a restarted server) must not take the process down.
  pool.on("error", (error) => console.error("[quill] PostgreSQL connection lost:", error.message));
  const writer = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { config: { kind: "postgresql", url }, writer, reader: writer, close: () => writer.destroy() };
}

// One set of connections per process; the dev server reloads modules, so keep it on globalThis.
const globalStore = globalThis as typeof globalThis & { __quillDatabase?: Connections };

/** Connections to a database of one's own (the bench and tests fill databases with these). */
export function openDatabase(config: DatabaseConfig): Connections {
  return config.kind === "sqlite" ? openSqlite(config.file) : openPostgres(config.url);
}

function connections(): Connections {
  return (globalStore.__quillDatabase ??= openDatabase(databaseConfig()));
}

export function databaseKind(): DatabaseConfig["kind"] {
  return connections().config.kind;
}

/** For reads. Reads never wait for a write. */
export function reader(): Database {
  return connections().reader;
}

/**
 * A read on the busiest paths (a page of posts, a post, the signed-in user, an image):
 * built and compiled by Kysely once, then run with each call's values. Building and
 * compiling cost more than running these queries (~60 us against ~30 us for a page of
 * posts). `build` must use each parameter once, in order, as a plain value; the first run
 * checks that it did.
 */
export function hotQuery<Params extends unknown[], Row>(build: (db: Database, ...params: Params) => Compilable<Row>) {
  let compiled: { db: Database; query: CompiledQuery<Row> } | undefined;
  return async (...params: Params): Promise<Row[]> => {
    const db = reader();
    if (compiled?.db !== db) {
      const query = build(db, ...params).compile();
      if (query.parameters.length !== params.length || query.parameters.some((value, index) => value !== params[index])) {
        throw new Error(`hotQuery: the query does not use its parameters once each, in order: ${query.sql}`);
      }
      compiled = { db, query };
    }
    const { rows } = await db.executeQuery<Row>({ ...compiled.query, parameters: params });
    return rows;
  };
}

/**
 * A write on the busiest write path (every save of a post), compiled once like hotQuery
 * and then run on the transaction it is given, with each call's values.
 */
export function hotStatement<Params extends unknown[], Row>(build: (db: Database, ...params: Params) => Compilable<Row>) {
  const compiled = new Map<DatabaseConfig["kind"], CompiledQuery<Row>>();
  return async (transaction: Database, ...params: Params) => {
    const kind = databaseKind();
    let query = compiled.get(kind);
    if (!query) {
      query = build(transaction, ...params).compile();
      if (query.parameters.length !== params.length || query.parameters.some((value, index) => value !== params[index])) {
        throw new Error(`hotStatement: the statement does not use its parameters once each, in order: ${query.sql}`);
      }
      compiled.set(kind, query);
    }
    return transaction.executeQuery<Row>({ ...query, parameters: params });
  };
}

/** Closes the connections (tests, and the end of scripts). */
export async function closeDatabase() {
  const open = globalStore.__quillDatabase;
  globalStore.__quillDatabase = undefined;
  await open?.close();
}

/**
 * Runs `work` as one transaction: everything in it is written, or nothing is. Only database
 * statements belong in it (the lock is held until it ends). On SQLite the transaction takes
 * the write lock up front (BEGIN IMMEDIATE), so a conflict shows at the start and the whole
 * transaction is tried again later, without blocking the event loop; after WRITE_WAIT_MS it
 * gives up with a 503 (isDatabaseBusy). On PostgreSQL, a row lock held elsewhere is waited
 * for as long (lock_timeout), then the same 503; a transaction chosen as a deadlock's victim
 * is run again (the models take row locks in one order, so this is a safety net).
 */
export async function write<T>(work: (transaction: Database) => Promise<T>): Promise<T> {
  const { config, writer } = connections();
  if (config.kind === "postgresql") return writePostgres(writer, work);
  const deadline = Date.now() + WRITE_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await writer.connection().execute(async (connection) => {
        await sql`BEGIN IMMEDIATE`.execute(connection);
        try {
          const result = await work(connection);
          await sql`COMMIT`.execute(connection);
          return result;
        } catch (error) {
          await sql`ROLLBACK`.execute(connection).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      if (!isSqliteBusy(error)) throw error;
      if (Date.now() >= deadline) throw databaseBusy();
      // 2, 4, 8 ... ms, then every 50 ms, with jitter so that waiting processes do not retry in step.
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 ** (attempt + 1)) * (0.5 + Math.random())));
    }
  }
}

const PG_RETRIED = new Set(["40P01", "40001"]); // deadlock detected, serialization failure
const PG_LOCK_NOT_AVAILABLE = "55P03"; // lock_timeout ran out

async function writePostgres<T>(writer: Database, work: (transaction: Database) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writer.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === PG_LOCK_NOT_AVAILABLE) throw databaseBusy();
      if (attempt >= 5 || typeof code !== "string" || !PG_RETRIED.has(code)) throw error;
      console.warn(`[quill] PostgreSQL ${code === "40P01" ? "deadlock" : "serialization failure"}: running the transaction again`);
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt * (0.5 + Math.random())));
    }
  }
}

function isSqliteBusy(error: unknown) {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED";
}

/** Whether an insert failed on a unique constraint, on either database. */
export function isUniqueViolation(error: unknown) {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}

// ---- dates ---------------------------------------------------------------------------

/** Dates are stored as ISO 8601 text in UTC (PostgreSQL: timestamp(3)). */
export function timestamp(date = new Date()) {
  return date.toISOString();
}

/** A stored date: ISO 8601, or SQLite's CURRENT_TIMESTAMP form (UTC without the zone). */
export function toDate(text: string) {
  return new Date(text.includes("T") ? text : `${text.replace(" ", "T")}Z`);
}

// ---- the content version -------------------------------------------------------------

/**
 * Marks that what pages show has changed: kept pages rendered before are stale. Called in
 * the same transaction as the change (posts, images, usernames), first, so that
 * concurrent writers on PostgreSQL take the row locks in one order.
 */
export async function bumpContentVersion(transaction: Database) {
  await transaction
    .insertInto("ContentVersion")
    .values({ id: 1, version: 1 })
    .onConflict((conflict) => conflict.column("id").doUpdateSet({ version: sql`"ContentVersion"."version" + 1` }))
    .execute();
}

const contentVersionQuery = hotQuery((db, id: number) => db.selectFrom("ContentVersion").select("version").where("id", "=", id));

/** The current content version: one primary-key read, cheap enough to ask on every request. */
export async function contentVersion(): Promise<number> {
  const [row] = await contentVersionQuery(1);
  return row?.version ?? 0;
}
