import { MAX_ID } from "~/utils/db.server";

// Pagination cursors are opaque to clients (so their meaning can change later), but are
// just the last post id seen, base64url-encoded.

export function encodeCursor(id: number): string {
  return Buffer.from(`p${id}`).toString("base64url");
}

/** The id inside a cursor; undefined for no cursor, null for one that is not ours. */
export function decodeCursor(cursor: string | null): number | null | undefined {
  if (cursor === null || cursor === "") return undefined;
  const decoded = /^[A-Za-z0-9_-]{1,16}$/.test(cursor) ? Buffer.from(cursor, "base64url").toString() : "";
  const match = /^p([1-9][0-9]{0,9})$/.exec(decoded);
  // PostgreSQL refuses to compare an integer column with a larger number.
  return match && Number(match[1]) <= MAX_ID ? Number(match[1]) : null;
}
