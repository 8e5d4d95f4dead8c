import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "~/generated/prisma/client";
import { databaseUrl } from "../../prisma/database-url.js";

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
const globalStore = globalThis as typeof globalThis & { __quillPrisma?: Client };

export const prisma: Client = (globalStore.__quillPrisma ??= createClient());
