// Builds the production server: server/*.ts into build/http/*.js with esbuild, as the Epic
// Stack builds its server: the app modules it shares (the settings' schema) are bundled in,
// packages stay imports. Type-checking is `npm run typecheck`'s job; this strips the types. Run by `npm run build`, and by `npm start` and `npm run
// dev` when there is no built server yet.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SERVER_OUT = path.join(root, "build", "http");

export async function buildServer() {
  // Loaded here: npm start's primary imports this file, and builds only once.
  const esbuild = await import("esbuild");
  fs.rmSync(SERVER_OUT, { recursive: true, force: true });
  const common = /** @type {const} */ ({ bundle: true, packages: "external", outdir: SERVER_OUT, platform: "node", target: "node20", sourcemap: true, logLevel: "warning" });
  // The image process is CommonJS: its first line lowers its CPU priority before any thread
  // starts, which an ES module's loading would not allow (server/image-process.ts).
  // Its packages are bundled in (p-limit is an ES module), but for sharp and its native libvips.
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, "server", "image-process.ts")],
    format: "cjs",
    outExtension: { ".js": ".cjs" },
    packages: "bundle",
    external: ["sharp"],
  });
  await esbuild.build({
    // The worker's server, the primary, and the settings check npm start runs first.
    entryPoints: ["index.ts", "cluster.ts", "check-config.ts"].map((name) => path.join(root, "server", name)),
    ...common,
    splitting: true,
    format: "esm",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer();
