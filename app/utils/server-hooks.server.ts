import http from "node:http";

/**
 * remix-serve offers no middleware, yet a few concerns need the raw Node request: the
 * client's address (login throttling), refusing cross-site posts before Remix's own check
 * turns them into a 500, and tidy keep-alive handling. Each registers a hook here; the
 * HTTP server's "request" event is wrapped once per process, at import time of the server
 * build, which is before remix-serve or Vite starts listening.
 *
 * A hook either answers the request itself (and returns without calling `next`) or calls
 * `next()` to pass it on, possibly inside a scope of its own (AsyncLocalStorage.run).
 */
export type RequestHook = (
  server: http.Server,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  next: () => boolean,
) => boolean;

type Registry = { hooks: Map<string, RequestHook> };
// When each request arrived, for the access log of answers given by hooks.
const arrivals = new WeakMap<http.IncomingMessage, bigint>();
const REGISTRY = Symbol.for("quill.serverHooks");
const store = globalThis as typeof globalThis & { [REGISTRY]?: Registry };

function registry(): Registry {
  if (store[REGISTRY]) return store[REGISTRY];
  const created: Registry = { hooks: new Map() };
  store[REGISTRY] = created;
  const prototype = http.Server.prototype;
  const emit = prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event !== "request") return emit.apply(this, [event, ...args]);
    const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
    arrivals.set(request, process.hrtime.bigint());
    const hooks = [...created.hooks.values()];
    const run = (index: number): boolean =>
      index < hooks.length
        ? hooks[index](this, request, response, () => run(index + 1))
        : emit.apply(this, [event, ...args]);
    return run(0);
  } as typeof prototype.emit;
  return created;
}

/** Adds (or, after a dev-server reload, replaces) the hook with this name; hooks run in the order first added. */
export function addRequestHook(name: string, hook: RequestHook) {
  registry().hooks.set(name, hook);
}

/**
 * Answers a request from a hook, ahead of remix-serve's Express app, and writes the
 * access-log line that remix-serve's morgan("tiny") writes for every other request, so the
 * log stays complete.
 */
export function answer(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  status: number,
  headers: http.OutgoingHttpHeaders,
  body?: Buffer | string | null,
) {
  const length = headers["Content-Length"] ?? (body ? Buffer.byteLength(body) : "-");
  response.writeHead(status, headers);
  response.end(body ?? undefined, () => {
    const ms = Number(process.hrtime.bigint() - (arrivals.get(request) ?? process.hrtime.bigint())) / 1e6;
    process.stdout.write(`${request.method} ${request.url} ${status} ${length} - ${ms.toFixed(3)} ms\n`);
  });
}
