import http from "node:http";

/**
 * remix-serve offers no middleware, yet a few concerns need the raw Node request: the
 * client's address (login throttling), refusing cross-site posts before Remix's own check
 * turns them into a 500, tidy keep-alive handling, and answering images and kept pages
 * without the cost of Express and Remix. Each registers a hook here; the
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

/**
 * The order hooks run in, whatever order their modules happen to be imported in:
 * connection handling sees every request; the cheap answers (images, kept pages) come
 * before the scopes that only requests going on to Remix need.
 */
const ORDER = ["connections", "images", "page-cache", "same-origin", "client-address"] as const;
export type RequestHookName = (typeof ORDER)[number];

type Registry = {
  hooks: Map<RequestHookName, RequestHook>;
  /** The hooks in ORDER, rebuilt when one is added. */
  chain: RequestHook[];
  /** When each request arrived, for the access-log line of answers given by hooks. */
  arrivals: WeakMap<http.IncomingMessage, bigint>;
};
const REGISTRY = Symbol.for("quill.serverHooks");
const store = globalThis as typeof globalThis & { [REGISTRY]?: Registry };

// Kept on globalThis: the dev server reloads modules, but the server's emit is wrapped once.
function registry(): Registry {
  if (store[REGISTRY]) return store[REGISTRY];
  const created: Registry = { hooks: new Map(), chain: [], arrivals: new WeakMap() };
  store[REGISTRY] = created;
  const prototype = http.Server.prototype;
  const emit = prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event !== "request") return emit.apply(this, [event, ...args]);
    const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
    created.arrivals.set(request, process.hrtime.bigint());
    const hooks = created.chain;
    const run = (index: number): boolean =>
      index < hooks.length
        ? hooks[index](this, request, response, () => run(index + 1))
        : emit.apply(this, [event, ...args]);
    return run(0);
  } as typeof prototype.emit;
  return created;
}

/** Adds (or, after a dev-server reload, replaces) the hook with this name; hooks run in ORDER. */
export function addRequestHook(name: RequestHookName, hook: RequestHook) {
  const { hooks } = registry();
  hooks.set(name, hook);
  registry().chain = ORDER.flatMap((each) => hooks.get(each) ?? []);
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
    const arrived = registry().arrivals.get(request);
    const ms = arrived === undefined ? 0 : Number(process.hrtime.bigint() - arrived) / 1e6;
    process.stdout.write(`${request.method} ${request.url} ${status} ${length} - ${ms.toFixed(3)} ms\n`);
  });
}
