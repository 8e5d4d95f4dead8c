// Runs after `npm ci` / `npm install`.
// 1. Prisma 7 (devDependency alias `prisma-studio`, for Studio and `generate`) also
//    declares a `prisma` bin, and npm may link it over Prisma 6's. Point `npx prisma` back
//    at Prisma 6, whose CLI migrates SQLite offline (docs/decisions/001).
// 2. Generate Prisma Client for SQLite and PostgreSQL into app/generated/prisma (always
//    from the schema people edit, whatever DATABASE_URL says: the app's types are the
//    same on both; scripts/prisma-generate.js).
import fs from "node:fs";
import path from "node:path";
import { generateClients } from "./prisma-generate.js";

const prismaCli = path.resolve("node_modules", "prisma", "build", "index.js");
const bin = path.resolve("node_modules", ".bin", "prisma");
if (fs.existsSync(prismaCli)) {
  fs.rmSync(bin, { force: true });
  fs.symlinkSync(path.relative(path.dirname(bin), prismaCli), bin);
}

generateClients();
