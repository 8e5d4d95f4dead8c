import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";

const migrationsDir = path.resolve(import.meta.dirname, "..", "..", "prisma", "migrations");

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
