// `npm run dev`: make sure the database exists and is migrated before Vite starts.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { databaseFile } from "../prisma/database-url.js";

fs.mkdirSync(path.dirname(databaseFile()), { recursive: true });
const prismaCli = path.resolve("node_modules", "prisma", "build", "index.js");
const result = spawnSync(process.execPath, [prismaCli, "migrate", "deploy"], { stdio: "inherit" });
process.exit(result.status ?? 1);
