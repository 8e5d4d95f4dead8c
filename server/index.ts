// Quill's HTTP server: one Express app whose middleware, read top to bottom, is the life of a
// request. `npm start` runs it (built as build/http/index.js) in each worker process
// (server/cluster.ts); `npm run dev` runs it alone with Vite (NODE_ENV=development). Nothing here changes Node or Express:
// every step is a middleware in the order written (docs/decisions/009-production-server.md).
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import morgan from "morgan";
import { appHooks } from "./app-hooks.js";
import { ConfigError, parseEnv } from "./config.js";
import { drain, requestsInFlight, trackRequests } from "./connections.js";
import { checkContinue, continueToRemix } from "./expect-continue.js";
import { imagesAheadOfRemix } from "./images.js";
import { decodeInImageProcess } from "./image-supervisor.js";
import { refuseMalformedRequests } from "./malformed-requests.js";
import { responseCache } from "./response-cache.js";
import { sameOrigin } from "./same-origin.js";
import { securityHeaders } from "./security-headers.js";

// This file runs as build/http/index.js.
const root = path.resolve(import.meta.dirname, "..", "..");
const MODE = process.env.NODE_ENV === "development" ? "development" : "production";

function readSettings() {
  try {
    return parseEnv(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[quill] ${error.message}`);
    process.exit(1);
  }
}
const settings = readSettings();

const app = express();
const server = http.createServer(app);
// `Expect: 100-continue` is answered by the steps below, not by Node at once.
server.on("checkContinue", checkContinue(app));

// The app: the production build, or in development Vite compiling it on demand (with hot
// reloading over this server's own port).
const vite =
  MODE === "development"
    ? await import("vite").then((vite) => vite.createServer({ server: { middlewareMode: true, hmr: { server } } }))
    : undefined;
const build: ServerBuild | undefined = vite ? undefined : await import(pathToFileURL(path.join(root, "build", "server", "index.js")).href);
// The app's functions the fast paths share with the routes (app/entry.server.tsx's exports).
const hooks = build ? appHooks(build) : undefined;
// The fast paths run on the production build only: in development a cached page would outlive
// the code change that should have altered it.
// Under `npm start`, uploads are decoded in the machine's one image process (server/cluster.ts).
const decodeElsewhere = decodeInImageProcess();
if (hooks && decodeElsewhere) hooks.decodeImagesWith(decodeElsewhere);
const cache = hooks ? responseCache(hooks, { maxAgeMs: settings.RESPONSE_CACHE_MAX_AGE_SECONDS * 1000 }) : undefined;

app.disable("x-powered-by");
// The client address (req.ip), scheme (req.protocol) and host behind TRUST_PROXY proxies.
app.set("trust proxy", settings.TRUST_PROXY);

// 1. One access-log line per answer, whoever gives it (written once it is sent).
app.use(morgan("tiny"));
// 2. Security headers on every response: pages, kept pages, images, files, redirects, errors.
app.use(securityHeaders);
// 3. Requests no browser sends (`GET *`, a bad Host, TRACE, `/%`): a 4xx, never a 500.
app.use(refuseMalformedRequests);
// 4. Requests in flight are counted (for shutdown), and a body left unread after the answer
//    is read to its end, so the connection stays usable.
app.use(trackRequests);
// 5. The one same-origin check: no cross-site request changes anything (403).
app.use(sameOrigin({ trustProxy: settings.TRUST_PROXY, allowedOrigins: settings.ORIGIN }));
if (hooks && cache) {
  // 6. Images, answered ahead of Remix by the route's own function.
  app.use(imagesAheadOfRemix(hooks));
  // 7. Pages and API reads from the response cache, for visitors who are not signed in.
  app.use(cache.lookup);
}
// 8. Everything else is compressed (Brotli when the client takes it, else gzip).
app.use(compression());
// 9. Files: built assets have their hash in their name and are cached for a year; the few
//    other files (favicon) for an hour. No file-system lookup for any other path.
if (vite) {
  app.use(vite.middlewares);
} else {
  const client = path.join(root, "build", "client");
  app.use("/assets", express.static(path.join(client, "assets"), { immutable: true, maxAge: "1y", index: false, redirect: false }));
  app.use(filesIn(client, { maxAge: "1h" }));
}
// 10. A request that asked before sending its body (`Expect: 100-continue`) is told to go on,
//     unless it would be refused anyway: too large (413) or to an address no route claims.
app.use(continueToRemix({ maxBodyBytes: hooks?.maxRequestBodyBytes ?? Infinity, routes: build?.routes }));
// 11. Remix: the routes, with what only the server knows in the load context. (`app.use`,
//     not `app.all("*")`: Express would decode the path as a parameter.)
//     A response the cache may keep is watched as Remix writes it.
if (cache) app.use(cache.record);
app.use(
  createRequestHandler({
    build: build ?? (async () => (await vite!.ssrLoadModule("virtual:remix/server-build")) as ServerBuild),
    mode: MODE,
    getLoadContext: (req, res) => ({
      clientAddress: req.ip,
      // Made here, not by the app, so that a cached page can be kept split at it.
      cspNonce: (res.locals.cspNonce = crypto.randomBytes(16).toString("base64")),
      badPath: res.locals.badPath as string | undefined,
    }),
  }) as RequestHandler,
);
// 12. Whatever failed on the way: logged, and a plain 500.
const failed: ErrorRequestHandler = (error, req, res, _next) => {
  console.error(`[quill] ${req.method} ${req.originalUrl} failed:`, error);
  if (res.headersSent) return void res.destroy();
  res.status(500).type("text/plain").send("Something went wrong on our side. The error has been logged; please try again.");
};
app.use(failed);

/** express.static for the files directly in `dir` (read once, at start), and nothing else. */
function filesIn(dir: string, { maxAge }: { maxAge: string }): RequestHandler {
  const names = new Set(
    fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((file) => file.isFile())
      .map((file) => `/${file.name}`),
  );
  const serve = express.static(dir, { maxAge, index: false, redirect: false });
  return (req, res, next) => (names.has(req.path) ? serve(req, res, next) : next());
}

server.listen(settings.PORT, settings.HOST, () => {
  if (process.send) process.send({ quill: "listening" });
  else console.log(`[quill] ${MODE} server on http://${settings.HOST ?? "localhost"}:${settings.PORT}`);
});

// SIGTERM or SIGINT (to this process alone or to its whole group, once or twice): stop
// taking connections, let the requests in flight finish (uploads included), exit 0.
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    const count = requestsInFlight();
    console.log(`[quill] worker ${process.pid}: ${signal}, finishing ${count} request${count === 1 ? "" : "s"} in flight`);
    const outcome = await drain(server, { timeoutMs: 30_000 });
    if (outcome === "timed out") console.error(`[quill] worker ${process.pid}: requests still running after 30 s were cut off`);
    await vite?.close();
    process.exit(outcome === "drained" ? 0 : 1);
  });
}
