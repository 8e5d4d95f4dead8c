import crypto from "node:crypto";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { data } from "@remix-run/node";
import pg from "pg";
import { Prisma, PrismaClient as SqliteClient } from "~/generated/prisma/sqlite/client";
import { PrismaClient as PostgresClient } from "~/generated/prisma/postgresql/client";
import { databaseConfig, type DatabaseConfig } from "../../prisma/database-url.js";
import { env } from "~/utils/env.server";

// All reads and writes go through Prisma Client 7 with a driver adapter: better-sqlite3 on
// SQLite, pg on PostgreSQL. Both clients are generated from prisma/schema.prisma
// (scripts/prisma-generate.js) and have the same API and types; this module alone decides
// which one runs (docs/decisions/013-prisma-client.md).

/** The app's client: the SQLite one's type, which the PostgreSQL client shares (test/unit/prisma-types.test.ts). */
export type Database = SqliteClient;
/** What `write()` hands its work: the client, inside one transaction. */
export type Transaction = Prisma.TransactionClient;
export { Prisma };
// Prisma's generated model types are the app's data types.
export type { ApiToken, Image, Post, PostRevision, Throttle, User } from "~/generated/prisma/sqlite/client";

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
  /** The reader's driver adapter itself, for the one read asked on every request (contentVersion). */
  readerAdapter: () => Promise<DriverAdapter>;
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
// The reader waits a little for a lock only in rare moments (recovering the WAL after a
// crash); it never waits for writers.
const SQLITE_READER_PRAGMAS = ["query_only = ON", "cache_size = -20000"];

// errorFormat "minimal" on every client: Prisma's default message quotes the calling source
// with colours, work done on every refused write (a busy SQLite retries many times a second).
type AdapterFactory = NonNullable<Prisma.PrismaClientOptions["adapter"]>;
type DriverAdapter = Awaited<ReturnType<AdapterFactory["connect"]>>;

/**
 * A driver adapter factory that keeps the connection it opened, so that `adapter()` can
 * reach it too, and applies `setUp` to it first (our SQLite settings).
 */
function keepingConnection(factory: AdapterFactory, setUp: (adapter: DriverAdapter) => Promise<void> = async () => {}) {
  let connected: Promise<DriverAdapter> | undefined;
  const connect = () =>
    (connected ??= factory.connect().then(async (adapter) => {
      await setUp(adapter);
      return adapter;
    }));
  const kept: AdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = await connect();
      // Disposed by the client ($disconnect): the next connect opens a new connection.
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = () => {
        connected = undefined;
        return dispose();
      };
      return adapter;
    },
  };
  return { factory: kept, adapter: connect };
}

/** better-sqlite3 with our settings applied on every connection the client opens. */
function sqliteAdapter(options: ConstructorParameters<typeof PrismaBetterSqlite3>[0], pragmas: string[]) {
  return keepingConnection(new PrismaBetterSqlite3(options), (adapter) =>
    adapter.executeScript(pragmas.map((pragma) => `PRAGMA ${pragma};`).join("\n")),
  );
}

function openSqlite(file: string): Connections {
  // Busy timeout 0: a write finding the lock taken fails at once and write() tries again on a timer.
  const writer = new SqliteClient({ adapter: sqliteAdapter({ url: `file:${file}`, timeout: 0 }, SQLITE_PRAGMAS).factory, errorFormat: "minimal" });
  const readerConnection = sqliteAdapter({ url: `file:${file}`, fileMustExist: true, timeout: 100 }, SQLITE_READER_PRAGMAS);
  const reader = new SqliteClient({ adapter: readerConnection.factory, errorFormat: "minimal" });
  return {
    config: { kind: "sqlite", file },
    writer,
    reader,
    readerAdapter: readerConnection.adapter,
    close: async () => {
      await reader.$disconnect();
      await writer.$disconnect();
    },
  };
}

function openPostgres(url: string): Connections {
  const pool = new pg.Pool({
    connectionString: url,
    max: env().DATABASE_POOL_SIZE,
    // Idle connections do not keep the process alive: a server told to stop exits once its
    // last answer is sent, not 10 s later when the pool would close them.
    allowExitOnIdle: true,
    // A row or table another session keeps locked (a long transaction in psql, a migration)
    // is waited for as long as SQLite's lock is, then the write answers 503 (write()).
    options: `-c lock_timeout=${WRITE_WAIT_MS}`,
  });
  // An idle client that loses its connection (a restarted server) must not take the process down.
  pool.on("error", (error) => console.error("[quill] PostgreSQL connection lost:", error.message));
  const connection = keepingConnection(
    new PrismaPg(pool, {
      // Named statements are prepared once per connection, then only run.
      statementNameGenerator: (query) => `q${crypto.createHash("sha1").update(query.sql).digest("base64url").slice(0, 20)}`,
    }),
  );
  const adapter = connection.factory;
  // The one place the PostgreSQL client is seen as the app's client type: the two are
  // generated from the same models (test/unit/prisma-types.test.ts holds them to that) and
  // differ only in what each database offers beyond them (isolation levels, `mode:
  // "insensitive"`), which the app does not use.
  const client: Database = new PostgresClient({ adapter, errorFormat: "minimal" }) as unknown as Database;
  return {
    config: { kind: "postgresql", url },
    writer: client,
    reader: client,
    readerAdapter: connection.adapter,
    close: async () => {
      await client.$disconnect();
      await pool.end();
    },
  };
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

/** Closes the connections (tests, and the end of scripts). */
export async function closeDatabase() {
  const open = globalStore.__quillDatabase;
  globalStore.__quillDatabase = undefined;
  await open?.close();
}

// Prisma's interactive transactions: waiting for the connection (on SQLite, behind the
// process's other writes) and running are both bounded; a write holding the lock longer
// than this is a bug, not load.
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

/**
 * Runs `work` as one transaction: everything in it is written, or nothing is. Only database
 * statements belong in it (the lock is held until it ends). On SQLite a write finding the
 * lock taken by another process fails at once (busy timeout 0) and the whole transaction
 * is tried again later, on a timer, without blocking the event loop; after WRITE_WAIT_MS it
 * gives up with a 503 (isDatabaseBusy). On PostgreSQL, a row lock held elsewhere is waited
 * for as long (lock_timeout), then the same 503; a transaction chosen as a deadlock's victim
 * is run again (the models take row locks in one order, so this is a safety net).
 */
export async function write<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
  const { config, writer } = connections();
  if (config.kind === "postgresql") return writePostgres(writer, work);
  const deadline = Date.now() + WRITE_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await writer.$transaction(work, TRANSACTION_OPTIONS);
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

async function writePostgres<T>(writer: Database, work: (transaction: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writer.$transaction(work, TRANSACTION_OPTIONS);
    } catch (error) {
      const code = driverCode(error);
      if (code === PG_LOCK_NOT_AVAILABLE) throw databaseBusy();
      if (attempt >= 5 || code === undefined || !PG_RETRIED.has(code)) throw error;
      console.warn(`[quill] PostgreSQL ${code === "40P01" ? "deadlock" : "serialization failure"}: running the transaction again`);
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt * (0.5 + Math.random())));
    }
  }
}

/** The database's own error code (SQLITE_BUSY, 40P01...) behind a Prisma error, if any. */
export function driverCode(error: unknown): string | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const cause = (error.meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)?.cause;
  return typeof cause?.originalCode === "string" ? cause.originalCode : undefined;
}

function isSqliteBusy(error: unknown) {
  const code = driverCode(error);
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED";
}

/** Whether a write failed on a unique constraint, on either database. */
export function isUniqueViolation(error: unknown) {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

// ---- the content version -------------------------------------------------------------

/**
 * Marks that what pages show has changed: kept pages rendered before are stale. Called in
 * the same transaction as the change (posts, images, usernames), first, so that
 * concurrent writers on PostgreSQL take the row locks in one order. One statement, the
 * same on both databases.
 */
export async function bumpContentVersion(transaction: Transaction) {
  await transaction.$executeRaw`INSERT INTO "ContentVersion" ("id", "version") VALUES (1, 1)
    ON CONFLICT ("id") DO UPDATE SET "version" = "ContentVersion"."version" + 1`;
}

const CONTENT_VERSION_SQL = 'SELECT "version" FROM "ContentVersion" WHERE "id" = 1';

/**
 * The current content version: one primary-key read, asked on every request for a kept
 * page (server/response-cache.ts). It goes to the reader's driver adapter directly, the same
 * connection Prisma Client uses: through `$queryRaw` it cost 63 µs of CPU against 7 µs,
 * most of an anonymous kept page's cost (docs/decisions/013-prisma-client.md).
 * test/unit/raw-queries.test.ts holds it to what the ORM reads.
 */
export async function contentVersion(): Promise<number> {
  const adapter = await connections().readerAdapter();
  const { rows } = await adapter.queryRaw({ sql: CONTENT_VERSION_SQL, args: [], argTypes: [] });
  return Number(rows[0]?.[0] ?? 0);
}
