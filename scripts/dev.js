// `npm run dev`: apply pending migrations, then our server (server/index.ts, built afresh
// into build/http/ by esbuild in a moment) in development
// mode: Vite compiles the app on demand, with hot reloading, behind the same middleware as
// production (security headers, the origin check, the client address). Migrations only run
// when one is pending, so this starts while `npm start` or `npm run studio` has the
// database open.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildServer, SERVER_OUT } from "./build-server.js";
import { migrate } from "./migrate.js";

process.env.NODE_ENV = "development";
try {
  await migrate();
} catch (error) {
  console.error(`[quill] ${/** @type {Error} */ (error).message}`);
  process.exit(1);
}
await buildServer();
await import(pathToFileURL(path.join(SERVER_OUT, "index.js")).href);
