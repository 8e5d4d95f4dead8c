import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { databaseConfig, databaseFile, databaseUrl } from "./prisma/database-url.js";

// Nothing here uses Prisma's query engine (the app queries through Kysely, docs/decisions/008):
// without a prisma-client generator, Prisma 6 would otherwise try to download one.
process.env.PRISMA_CLIENT_ENGINE_TYPE ??= "client";

const database = databaseConfig();

// Prisma 6 with the JavaScript schema engine: it works through a driver adapter, so no
// native engine has to be downloaded (see docs/decisions/001). On SQLite, `prisma migrate
// deploy` applies prisma/migrations. On PostgreSQL, Prisma only writes migrations
// (`npm run db:migration`); node-pg-migrate applies them (docs/decisions/010).
export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: database.kind === "postgresql" ? path.join("prisma", "postgresql", "schema.prisma") : path.join("prisma", "schema.prisma"),
  migrations: {
    path: path.join("prisma", "migrations"),
    seed: "tsx prisma/seed.ts",
  },
  async adapter() {
    // allowExitOnIdle: without it the CLI waits 10 s for the pool's idle connection to time out.
    if (database.kind === "postgresql") return new PrismaPg({ connectionString: database.url, allowExitOnIdle: true });
    fs.mkdirSync(path.dirname(databaseFile()), { recursive: true });
    return new PrismaBetterSQLite3({ url: databaseUrl() });
  },
});
