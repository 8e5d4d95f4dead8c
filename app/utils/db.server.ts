import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import Database, { type Statement } from "better-sqlite3";
import { PrismaClient } from "~/generated/prisma/client";
import { databaseFile, databaseUrl } from "../../prisma/database-url.js";

// Per-connection settings for a web server: WAL lets readers run beside the writer,
// NORMAL sync is durable in WAL mode except across power loss, and a 20 MB page cache
// keeps the hot pages of the post list in memory.
const CONNECTION_PRAGMAS = [
  "PRAGMA journal_mode = WAL",
  "PRAGMA synchronous = NORMAL",
  "PRAGMA foreign_keys = ON",
  "PRAGMA cache_size = -20000",
];

function createClient() {
  // `timeout` is better-sqlite3's busy timeout: wait for another process's write lock
  // instead of failing at once with SQLITE_BUSY.
  const adapter = new PrismaBetterSQLite3({ url: databaseUrl(), timeout: 5000 });
  const base = new PrismaClient({ adapter });
  // The adapter opens one connection lazily; run the pragmas on it before any query.
  let ready: Promise<unknown> | undefined;
  const prepare = () =>
    (ready ??= CONNECTION_PRAGMAS.reduce<Promise<unknown>>(
      (previous, pragma) => previous.then(() => base.$queryRawUnsafe(pragma)),
      Promise.resolve(),
    ));
  return base.$extends({
    query: {
      async $allOperations({ args, query }) {
        await prepare();
        return query(args);
      },
    },
  });
}

type Client = ReturnType<typeof createClient>;
// One client per process; the dev server reloads modules, so keep it on globalThis.
const globalStore = globalThis as typeof globalThis & { __quillPrisma?: Client; __quillReader?: Database.Database };

export const prisma: Client = (globalStore.__quillPrisma ??= createClient());

/**
 * A second connection, read-only, for the busiest reads (a page of posts, a post, an image
 * and its hash; see post.server.ts). Prisma costs ~0.3-0.4 ms per query whatever the query,
 * loads each relation with a query of its own, and its SQLite adapter copies every BLOB
 * into an array with one JS number per byte (2 ms and a megabyte of garbage for a 60 KB
 * image, against 0.03 ms here). Every write stays on Prisma (docs/decisions/005-performance.md).
 */
function reader() {
  if (!globalStore.__quillReader) {
    const connection = new Database(databaseFile(), { fileMustExist: true, timeout: 5000 });
    connection.pragma("query_only = ON");
    globalStore.__quillReader = connection;
  }
  return globalStore.__quillReader;
}

/** A statement on the read-only connection, prepared once, on first use. */
export function readOnlyQuery<Params extends unknown[], Row>(sql: string): () => Statement<Params, Row> {
  let statement: Statement<Params, Row> | undefined;
  return () => (statement ??= reader().prepare<Params, Row>(sql));
}

const dataVersionQuery = readOnlyQuery<[], { data_version: number }>("PRAGMA data_version");

/**
 * A number that changes whenever any connection, in this process or another (a seed, Prisma
 * Studio, a second server), commits a write to the database: SQLite's data_version as seen
 * by the read-only connection, which never writes itself.
 */
export function databaseVersion(): number {
  const row = dataVersionQuery().get();
  if (!row) throw new Error("PRAGMA data_version returned no row");
  return row.data_version;
}

/** A DateTime read with plain SQL: Prisma stores ISO 8601 text; SQLite's own CURRENT_TIMESTAMP writes UTC without the zone. */
export function sqliteDate(text: string) {
  return new Date(text.includes("T") ? text : `${text.replace(" ", "T")}Z`);
}
