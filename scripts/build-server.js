// Builds the production server: server/*.ts into build/http/*.js with esbuild, as the Epic
// Stack builds its server: the app modules it shares (the settings' schema) are bundled in,
// packages stay imports. Type-checking is `npm run typecheck`'s job; this strips the types. Run by `npm run build`, and by `npm start` and `npm run
// dev` when there is no built server yet.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SERVER_OUT = path.join(root, "build", "http");

export async function buildServer() {
  fs.rmSync(SERVER_OUT, { recursive: true, force: true });
  await esbuild.build({
    // The worker's server, the primary, and the settings npm start checks first.
    entryPoints: ["index.ts", "cluster.ts", "config.ts"].map((name) => path.join(root, "server", name)),
    bundle: true,
    splitting: true,
    packages: "external",
    outdir: SERVER_OUT,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer();
