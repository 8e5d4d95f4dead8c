import crypto from "node:crypto";
import Database from "better-sqlite3";

/** Opens the app's SQLite file read-only; safe beside the running app in WAL mode. */
export function openReadOnly(databaseFile: string) {
  return new Database(databaseFile, { readonly: true, fileMustExist: true });
}

export type Snapshot = { counts: Record<string, number>; checksum: string };

const TABLES = ["User", "Post", "PostRevision", "Image", "ApiToken"] as const;
// Rows whose content must not change when a request is refused (Throttle may: a
// refused login is still a counted failure).
const CHECKSUMMED = ["User", "Post", "PostRevision", "Image"] as const;
const ORDER: Record<(typeof CHECKSUMMED)[number], string> = { User: `"id"`, Post: `"id"`, PostRevision: `"postId", "version"`, Image: `"hash"` };

/** Row counts and a checksum of every User, Post, PostRevision and Image row, image bytes included. */
export function databaseSnapshot(databaseFile: string): Snapshot {
  const db = openReadOnly(databaseFile);
  try {
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      counts[table] = (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    }
    const hash = crypto.createHash("sha256");
    for (const table of CHECKSUMMED) {
      for (const row of db.prepare(`SELECT * FROM "${table}" ORDER BY ${ORDER[table]}`).iterate()) {
        for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
          hash.update(`${table}.${column}=`);
          hash.update(value instanceof Uint8Array ? value : String(value));
          hash.update("\0");
        }
      }
    }
    return { counts, checksum: hash.digest("hex") };
  } finally {
    db.close();
  }
}
