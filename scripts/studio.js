// `npm run studio`: Prisma Studio on the app's database (DATABASE_URL, default data/quill.db;
// a postgresql:// URL works too). Prisma 6's Studio needs a native engine that cannot be
// downloaded here; Prisma 7's Studio (the `prisma-studio` alias in devDependencies) talks to
// SQLite and PostgreSQL directly. It still checks that a schema-engine binary exists without
// using it, so any executable will do.
import { spawn } from "node:child_process";
import path from "node:path";
import { databaseConfig } from "../prisma/database-url.js";

const cli = path.resolve("node_modules", "prisma-studio", "build", "index.js");
const port = process.env.STUDIO_PORT ?? "5555";
const database = databaseConfig();
const url = database.kind === "sqlite" ? `file://${database.file}` : database.url;
const child = spawn(
  process.execPath,
  [cli, "studio", "--url", url, "--port", port, "--browser", process.env.BROWSER ?? "none"],
  {
    stdio: "inherit",
    env: { PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, CHECKPOINT_DISABLE: "1", ...process.env },
  },
);
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
