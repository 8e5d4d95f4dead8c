// Runs after `npm ci` / `npm install`.
// 1. Prisma 7 (devDependency alias `prisma-studio`, used only for `npm run studio`) also
//    declares a `prisma` bin, and npm may link it over Prisma 6's. Point `npx prisma` back
//    at Prisma 6, which the app's migrations and client are made for.
// 2. Generate the Kysely types from the schema into app/generated/kysely (always from the
//    schema people edit, whatever DATABASE_URL says: the app's types are the same on both).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const prismaCli = path.resolve("node_modules", "prisma", "build", "index.js");
const bin = path.resolve("node_modules", ".bin", "prisma");
if (fs.existsSync(prismaCli)) {
  fs.rmSync(bin, { force: true });
  fs.symlinkSync(path.relative(path.dirname(bin), prismaCli), bin);
}

// The schema's generator runs as `prisma-kysely`, from node_modules/.bin.
const env = { ...process.env, PATH: [path.resolve("node_modules", ".bin"), process.env.PATH].join(path.delimiter) };
const result = spawnSync(process.execPath, [prismaCli, "generate", "--schema", path.join("prisma", "schema.prisma")], { stdio: "inherit", env });
process.exit(result.status ?? 1);
