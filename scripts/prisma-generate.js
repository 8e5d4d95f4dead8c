// Generates Prisma Client for both databases from the one schema people edit
// (prisma/schema.prisma), run by `npm ci` (scripts/postinstall.js) and by hand after a
// schema change (`node scripts/prisma-generate.js`):
//
//   app/generated/prisma/sqlite       the schema as it is
//   app/generated/prisma/postgresql   the same models with provider "postgresql"
//
// Prisma 7's CLI generates (Prisma 6's CLI, which migrates SQLite, makes a client that
// needs the slower Prisma 6 runtime). Prisma 7 refuses the datasource `url` Prisma 6
// insists on, so each run gets a copy of the schema without it, in a folder of its own
// (without prisma.config.ts, which is written for Prisma 6). `generate` checks that a
// schema-engine binary exists but never runs it, so any executable will do: nothing is
// downloaded (docs/decisions/013-prisma-client.md).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "node_modules", "prisma-studio", "build", "index.js");

/**
 * The schema for Prisma 7's generator: the datasource without `url`, with `provider`,
 * the client written to `output`.
 * @param {string} schema
 * @param {"sqlite" | "postgresql"} provider
 * @param {string} output
 */
export function generatorSchema(schema, provider, output) {
  const datasource = /datasource\s+db\s*\{[^}]*\}/;
  const generator = /generator\s+client\s*\{[^}]*\}/;
  if (!datasource.test(schema) || !generator.test(schema)) throw new Error("prisma/schema.prisma needs a `datasource db` and a `generator client` block");
  return schema
    .replace(datasource, `datasource db {\n  provider = "${provider}"\n}`)
    .replace(generator, (block) => block.replace(/^\s*output\s*=.*$/m, `  output = ${JSON.stringify(output)}`));
}

export function generateClients() {
  if (!fs.existsSync(cli)) {
    // `npm ci --omit=dev`: no Prisma 7 CLI, and no build either; a build's bundle already holds the clients.
    console.warn("[quill] Prisma 7's CLI (devDependency prisma-studio) is not installed: Prisma Client not generated");
    return;
  }
  const schema = fs.readFileSync(path.join(root, "prisma", "schema.prisma"), "utf8");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quill-generate-"));
  try {
    for (const provider of /** @type {const} */ (["sqlite", "postgresql"])) {
      const output = path.join(root, "app", "generated", "prisma", provider);
      const file = path.join(dir, `${provider}.prisma`);
      fs.writeFileSync(file, generatorSchema(schema, provider, output));
      const result = spawnSync(process.execPath, [cli, "generate", "--schema", file], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      });
      if (result.status !== 0) {
        process.stderr.write(`${result.stdout}${result.stderr}`);
        throw new Error(`prisma generate failed for ${provider}`);
      }
      console.log(`[quill] Prisma Client for ${provider} generated in app/generated/prisma/${provider}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) generateClients();
