import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSql, postgresTwin, prismaPaths, sqliteSchemaOf, type PrismaPaths } from "../../scripts/db-migration";
import { schemaDrift } from "../support/schema-drift";
import { startPostgres, type PostgresCluster } from "../support/postgres";

// One schema people edit (prisma/schema.prisma), two migration histories made from it: the
// check that they still agree, on a real SQLite file and a real PostgreSQL server.

const root = path.resolve(import.meta.dirname, "..", "..");
// Each check builds four databases and runs Prisma's diff (2 s each on this machine), and
// `npm run db:migration` starts a PostgreSQL server of its own: minutes under load.
const SLOW = 180_000;
const FIX = "write the migrations with `npm run db:migration -- <name>` (see the README)";

let cluster: PostgresCluster | undefined;
let server: string;
beforeAll(async () => {
  server = process.env.QUILL_TEST_POSTGRES_URL ?? "";
  if (!server) {
    cluster = await startPostgres();
    server = cluster.url();
  }
});
const copies: string[] = [];
afterAll(() => {
  cluster?.stop();
  for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of prisma/ in a temporary folder, to change and migrate without touching the real one. */
function copyOfPrisma(): PrismaPaths {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "quill-prisma-"));
  copies.push(parent);
  const dir = path.join(parent, "prisma");
  fs.cpSync(path.join(root, "prisma"), dir, { recursive: true });
  return prismaPaths(dir);
}

function dbMigration(paths: PrismaPaths, ...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(root, "scripts", "db-migration.ts"), ...args], {
    cwd: root,
    env: { ...process.env, QUILL_PRISMA_DIR: path.dirname(paths.schema) },
    encoding: "utf8",
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// A change of the kind people make: a column with a default, an index, a new table.
function changeSchema(paths: PrismaPaths) {
  const schema = fs.readFileSync(paths.schema, "utf8");
  fs.writeFileSync(
    paths.schema,
    schema.replace(/(model Post \{\n)/, `$1  summary   String   @default("")\n`).replace(/(\n {2}@@index\(\[ownerId\]\))/, `$1\n  @@index([summary])`) +
      `\nmodel Tag {\n  id   Int    @id @default(autoincrement())\n  name String @unique\n}\n`,
  );
}

describe("the schema and both databases' migrations", () => {
  it("keeps the PostgreSQL twin made from the current schema", () => {
    const paths = prismaPaths();
    expect(fs.readFileSync(paths.twin, "utf8"), `prisma/postgresql/schema.prisma is out of date: ${FIX}`).toBe(
      postgresTwin(fs.readFileSync(paths.schema, "utf8")),
    );
  });

  it("migrates SQLite and PostgreSQL to exactly what the schema says", async () => {
    const drift = await schemaDrift(prismaPaths(), server);
    expect(drift.sqlite.migrated, `prisma/migrations disagree with prisma/schema.prisma: ${FIX}`).toEqual(drift.sqlite.fromSchema);
    expect(drift.postgresql.migrated, `prisma/postgresql/migrations disagree with prisma/schema.prisma: ${FIX}`).toEqual(drift.postgresql.fromSchema);
  }, SLOW);

  it("catches a schema change without migrations, and `npm run db:migration` writes both", async () => {
    const paths = copyOfPrisma();
    changeSchema(paths);
    const before = await schemaDrift(paths, server);
    expect(before.sqlite.migrated).not.toEqual(before.sqlite.fromSchema);
    expect(before.postgresql.migrated).not.toEqual(before.postgresql.fromSchema);

    const { status, output } = dbMigration(paths, "add_summary");
    expect(status, output).toBe(0);
    const sqlite = fs.readdirSync(paths.sqliteMigrations).filter((name) => name.endsWith("_add_summary"));
    expect(sqlite).toHaveLength(1);
    expect(fs.readdirSync(paths.postgresMigrations)).toContain(`${sqlite[0]}.sql`);
    expect(fs.readFileSync(path.join(paths.postgresMigrations, `${sqlite[0]}.sql`), "utf8")).toMatch(/ALTER TABLE "Post" ADD COLUMN +"summary" TEXT NOT NULL DEFAULT ''/);
    expect(fs.readFileSync(paths.twin, "utf8")).toBe(postgresTwin(fs.readFileSync(paths.schema, "utf8")));

    const after = await schemaDrift(paths, server);
    expect(after.sqlite.migrated).toEqual(after.sqlite.fromSchema);
    expect(after.postgresql.migrated).toEqual(after.postgresql.fromSchema);

    // Nothing changed since: nothing written.
    const again = dbMigration(paths, "nothing");
    expect(again.output).toContain("nothing changed in the schema");
    expect(fs.readdirSync(paths.sqliteMigrations).filter((name) => name.endsWith("_nothing"))).toEqual([]);
  }, SLOW);

  it("writes the PostgreSQL counterpart of a SQLite migration written by hand", async () => {
    const paths = copyOfPrisma();
    const previous = fs.readFileSync(paths.twin, "utf8");
    changeSchema(paths);
    // As PLAN.md told helpers to, before the command existed: a diff of two schema files.
    const name = "29991231000000_by_hand";
    fs.mkdirSync(path.join(paths.sqliteMigrations, name));
    fs.writeFileSync(path.join(paths.sqliteMigrations, name, "migration.sql"), diffSql({ from: sqliteSchemaOf(previous), to: fs.readFileSync(paths.schema, "utf8") }));

    expect(dbMigration(paths, "a_name").status).not.toBe(0); // first the counterpart, then new changes
    const { status, output } = dbMigration(paths);
    expect(status, output).toBe(0);
    expect(fs.existsSync(path.join(paths.postgresMigrations, `${name}.sql`))).toBe(true);
    const drift = await schemaDrift(paths, server);
    expect(drift.sqlite.migrated).toEqual(drift.sqlite.fromSchema);
    expect(drift.postgresql.migrated).toEqual(drift.postgresql.fromSchema);
  }, SLOW);
});
