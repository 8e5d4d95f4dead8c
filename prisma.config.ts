import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";
import { databaseFile, databaseUrl } from "./prisma/database-url.js";

// Nothing here uses Prisma's query engine (the app queries through Kysely, docs/decisions/008):
// without a prisma-client generator, Prisma 6 would otherwise try to download one.
process.env.PRISMA_CLIENT_ENGINE_TYPE ??= "client";

// Prisma 6 with the JavaScript schema engine: migrations run through the better-sqlite3
// driver adapter, so no native engine has to be downloaded (see docs/decisions/001).
export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: path.join("prisma", "schema.prisma"),
  migrations: {
    path: path.join("prisma", "migrations"),
    seed: "tsx prisma/seed.ts",
  },
  async adapter() {
    fs.mkdirSync(path.dirname(databaseFile()), { recursive: true });
    return new PrismaBetterSQLite3({ url: databaseUrl() });
  },
});
