import crypto from "node:crypto";
import Database from "better-sqlite3";
import { withTestDatabase } from "./database";

/** Opens the app's SQLite file read-only; safe beside the running app in WAL mode (SQLite-only checks). */
export function openReadOnly(databaseFile: string) {
  return new Database(databaseFile, { readonly: true, fileMustExist: true });
}

export type Snapshot = { counts: Record<string, number>; checksum: string };

const TABLES = ["User", "Post", "PostRevision", "Image", "ApiToken"] as const;
// Rows whose content must not change when a request is refused (Throttle may: a
// refused login is still a counted failure).
const CHECKSUMMED = ["User", "Post", "PostRevision", "Image"] as const;
const ORDER: Record<(typeof CHECKSUMMED)[number], string> = { User: `"id"`, Post: `"id"`, PostRevision: `"postId", "version"`, Image: `"hash"` };

/** Row counts and a checksum of every User, Post, PostRevision and Image row, image bytes included (either database). */
export function databaseSnapshot(databaseUrl: string): Promise<Snapshot> {
  return withTestDatabase(databaseUrl, async (db) => {
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const rows = await db.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT count(*) AS n FROM "${table}"`);
      counts[table] = Number(rows[0].n);
    }
    const hash = crypto.createHash("sha256");
    for (const table of CHECKSUMMED) {
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table}" ORDER BY ${ORDER[table]}`);
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          hash.update(`${table}.${column}=`);
          hash.update(value instanceof Uint8Array ? value : String(value));
          hash.update("\0");
        }
      }
    }
    return { counts, checksum: hash.digest("hex") };
  });
}
