// `npm run db:migration -- <name>`: after a change to prisma/schema.prisma (the one schema
// people edit), writes the migration for both databases, then brings the PostgreSQL twin
// of the schema (prisma/postgresql/schema.prisma) up to date:
//
//   prisma/migrations/<timestamp>_<name>/migration.sql       SQLite, applied by `prisma migrate deploy`
//   prisma/postgresql/migrations/<timestamp>_<name>.sql      PostgreSQL, applied by node-pg-migrate
//
// Each is `prisma migrate diff --script` from the schema as of the last migration to the
// current one. The twin is that "last migration" schema: it changes only here, in the same
// step as the migrations (docs/decisions/010-postgresql.md). Prisma's diff for PostgreSQL
// opens a connection to some PostgreSQL server, even though it reads none of it, so this
// starts a throwaway one (test/support/postgres.ts; needs `apt-get install postgresql`).
//
// When someone wrote a SQLite migration by hand (prisma/migrations holds one newer than any
// PostgreSQL migration), running this without a name writes its PostgreSQL counterpart,
// under the same name, from the same change.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres } from "../test/support/postgres";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");

export type PrismaPaths = {
  schema: string;
  twin: string;
  sqliteMigrations: string;
  postgresMigrations: string;
};

/** Where the schema, its twin and both migration histories live under a `prisma/` folder. */
export function prismaPaths(prismaDir = path.join(root, "prisma")): PrismaPaths {
  return {
    schema: path.join(prismaDir, "schema.prisma"),
    twin: path.join(prismaDir, "postgresql", "schema.prisma"),
    sqliteMigrations: path.join(prismaDir, "migrations"),
    postgresMigrations: path.join(prismaDir, "postgresql", "migrations"),
  };
}

const TWIN_HEADER = `// Generated from prisma/schema.prisma by \`npm run db:migration\`: do not edit. It is the
// schema as of the last migration, for PostgreSQL (docs/decisions/010-postgresql.md).
`;

/** The PostgreSQL twin of a SQLite schema: the same models, another provider, no generators. */
export function postgresTwin(schema: string): string {
  const datasource = /datasource\s+db\s*\{[^}]*\}/;
  if (!datasource.test(schema)) throw new Error("schema.prisma has no `datasource db` block");
  const body = schema
    .replace(/^\/\/.*\n(?:\/\/.*\n)*\n?/, "") // the header comment
    .replace(/(?:^\/\/.*\n)*generator\s+\w+\s*\{[^}]*\}\n\n?/gm, "") // generators and the comments above them
    .replace(/(?:^\/\/.*\n)*(datasource\s+db\s*\{[^}]*\})/m, "$1")
    .replace(datasource, `datasource db {\n  provider = "postgresql"\n  // Prisma 6 insists on a literal url; the real one is DATABASE_URL.\n  url      = "postgresql://localhost/quill"\n}`);
  return `${TWIN_HEADER}\n${body}`;
}

/** The twin back as a SQLite schema: the "from" side of the next SQLite migration. */
export function sqliteSchemaOf(twin: string): string {
  return twin.replace(/datasource\s+db\s*\{[^}]*\}/, `datasource db {\n  provider = "sqlite"\n  url      = "file:quill.db"\n}`);
}

/**
 * `prisma migrate diff --script` between two schemas (texts; null: an empty database).
 * For PostgreSQL, `postgresUrl` must name a running server (Prisma connects, reads nothing).
 */
export function diffSql({ from, to, postgresUrl }: { from: string | null; to: string; postgresUrl?: string }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quill-diff-"));
  try {
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const fromArgs = from === null ? ["--from-empty"] : ["--from-schema-datamodel", write("from.prisma", from)];
    const env = { ...process.env, DATABASE_URL: postgresUrl ?? `file:${path.join(dir, "diff.db")}`, CHECKPOINT_DISABLE: "1" };
    const result = spawnSync(
      process.execPath,
      [prismaCli, "migrate", "diff", "--config", path.join(root, "prisma.config.ts"), ...fromArgs, "--to-schema-datamodel", write("to.prisma", to), "--script"],
      { cwd: root, env, encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(`prisma migrate diff failed:\n${result.stdout}${result.stderr}`);
    // Prisma's `CREATE SCHEMA IF NOT EXISTS "public"` fails for a role that does not own the
    // database, and "public" always exists.
    return result.stdout.replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n?/, "");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether a script from `prisma migrate diff` has any statement in it. */
export function hasStatements(script: string) {
  return script.split("\n").some((line) => line.trim() !== "" && !line.trim().startsWith("--"));
}

function migrationTimestamp(date = new Date()) {
  return date.toISOString().replace(/\D/g, "").slice(0, 14);
}

const prefixOf = (name: string) => name.slice(0, 14);

export function sqliteMigrationNames(paths: PrismaPaths) {
  return fs
    .readdirSync(paths.sqliteMigrations)
    .filter((name) => fs.existsSync(path.join(paths.sqliteMigrations, name, "migration.sql")))
    .sort();
}

export function postgresMigrationNames(paths: PrismaPaths) {
  if (!fs.existsSync(paths.postgresMigrations)) return [];
  return fs
    .readdirSync(paths.postgresMigrations)
    .filter((name) => name.endsWith(".sql"))
    .map((name) => name.slice(0, -".sql".length))
    .sort();
}

function header(source: string) {
  return `-- Written by \`npm run db:migration\` (prisma migrate diff) from ${source}.\n\n`;
}

/** Writes the migrations for a schema change; answers what it wrote, and what to check by hand, for the log. */
export async function writeMigration({
  name,
  paths = prismaPaths(),
  warn = console.warn,
}: {
  name?: string;
  paths?: PrismaPaths;
  warn?: (line: string) => void;
}): Promise<string[]> {
  const schema = fs.readFileSync(paths.schema, "utf8");
  if (!fs.existsSync(paths.twin)) throw new Error(`${paths.twin} is missing: it is the schema as of the last migration`);
  const previous = fs.readFileSync(paths.twin, "utf8");
  const twin = postgresTwin(schema);

  const newestPostgres = postgresMigrationNames(paths).at(-1) ?? "";
  const handWritten = sqliteMigrationNames(paths).filter((sqlite) => prefixOf(sqlite) > prefixOf(newestPostgres));
  if (handWritten.length === 0 && !name) throw new Error("Name the change: npm run db:migration -- <name> (letters, digits, _)");
  if (handWritten.length > 0 && name) {
    throw new Error(`prisma/migrations/${handWritten.at(-1)} has no PostgreSQL counterpart yet: run \`npm run db:migration\` without a name first, which writes it`);
  }
  if (name && !/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`A migration name has only letters, digits, _ and -: ${name}`);

  const cluster = await startPostgres();
  const written: string[] = [];
  try {
    const postgresSql = diffSql({ from: previous, to: twin, postgresUrl: cluster.url() });
    if (handWritten.length > 0) {
      // The SQLite side is there already: write only its PostgreSQL counterpart.
      const target = handWritten.at(-1) as string;
      const file = path.join(paths.postgresMigrations, `${target}.sql`);
      fs.mkdirSync(paths.postgresMigrations, { recursive: true });
      fs.writeFileSync(file, `${header(`the schema change of prisma/migrations/${handWritten.join(", ")}`)}${postgresSql}`);
      written.push(file);
      for (const sqlite of handWritten) {
        const text = fs.readFileSync(path.join(paths.sqliteMigrations, sqlite, "migration.sql"), "utf8");
        if (/^\s*(INSERT|UPDATE|DELETE)\b/im.test(text)) {
          warn(`[quill] prisma/migrations/${sqlite} also copies or changes data: do the same by hand in ${path.basename(file)} (PostgreSQL's SQL)`);
        }
      }
    } else {
      const sqliteSql = diffSql({ from: sqliteSchemaOf(previous), to: schema });
      if (hasStatements(sqliteSql) || hasStatements(postgresSql)) {
        const newest = [...sqliteMigrationNames(paths), newestPostgres].map(prefixOf).sort().at(-1) ?? "";
        let stamp = migrationTimestamp();
        if (stamp <= newest) stamp = String(BigInt(newest) + 1n);
        const dirName = `${stamp}_${name}`;
        const sqliteFile = path.join(paths.sqliteMigrations, dirName, "migration.sql");
        const postgresFile = path.join(paths.postgresMigrations, `${dirName}.sql`);
        fs.mkdirSync(path.dirname(sqliteFile), { recursive: true });
        fs.mkdirSync(paths.postgresMigrations, { recursive: true });
        fs.writeFileSync(sqliteFile, `${header("prisma/schema.prisma")}${sqliteSql}`);
        fs.writeFileSync(postgresFile, `${header("prisma/schema.prisma")}${postgresSql}`);
        written.push(sqliteFile, postgresFile);
      }
    }
  } finally {
    cluster.stop();
  }
  if (previous !== twin) {
    fs.writeFileSync(paths.twin, twin);
    written.push(paths.twin);
  }
  return written;
}

// `npm run db:migration -- <name>`
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const name = process.argv[2];
  writeMigration({ name, paths: prismaPaths(process.env.QUILL_PRISMA_DIR) }).then(
    (written) => {
      if (written.length === 0) console.log("[quill] nothing changed in the schema: no migration written");
      for (const file of written) console.log(`[quill] wrote ${path.relative(process.cwd(), file)}`);
      if (written.some((file) => file.endsWith(".sql"))) {
        console.log("[quill] read them through; hand-edit only to copy data (say so in a comment), then run npm test (its drift check compares them with the schema)");
      }
    },
    (error: Error) => {
      console.error(`[quill] ${error.message}`);
      process.exit(1);
    },
  );
}
