// Builds the production server: server/*.ts, each file as it is, into build/http/*.js (as
// the Epic Stack builds its server with esbuild). Type-checking is `npm run typecheck`'s
// job; this only strips the types. Run by `npm run build`, and by `npm start` and `npm run
// dev` when there is no built server yet.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SERVER_OUT = path.join(root, "build", "http");

export async function buildServer() {
  const sources = fs.readdirSync(path.join(root, "server")).filter((name) => name.endsWith(".ts"));
  fs.rmSync(SERVER_OUT, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: sources.map((name) => path.join(root, "server", name)),
    outdir: SERVER_OUT,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer();
