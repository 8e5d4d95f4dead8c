// `npm run dev`: apply pending migrations, then our server (server/index.js) in development
// mode: Vite compiles the app on demand, with hot reloading, behind the same middleware as
// production (security headers, the origin check, the client address). Migrations only run
// when one is pending, so this starts while `npm start` or `npm run studio` has the
// database open.
import { migrate } from "./migrate.js";

process.env.NODE_ENV = "development";
try {
  await migrate();
} catch (error) {
  console.error(`[quill] ${/** @type {Error} */ (error).message}`);
  process.exit(1);
}
await import("../server/index.js");
