import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";

/**
 * remix-serve builds the Fetch `Request` without the caller's socket, so the address a
 * request came from is not visible to loaders and actions. Login throttling needs it, so
 * this module wraps the HTTP server's "request" event (once per process, at import time,
 * which is before remix-serve or Vite starts listening) in an AsyncLocalStorage scope
 * that carries the socket's address through the whole handling of that request.
 */
const store = new AsyncLocalStorage<string | undefined>();
const PATCHED = Symbol.for("quill.clientAddress");

type Patchable = typeof http.Server.prototype & { [PATCHED]?: boolean };
const serverPrototype = http.Server.prototype as Patchable;
if (!serverPrototype[PATCHED]) {
  serverPrototype[PATCHED] = true;
  const emit = serverPrototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  serverPrototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const message = args[0] as http.IncomingMessage;
      return store.run(message.socket?.remoteAddress, () => emit.apply(this, [event, ...args]));
    }
    return emit.apply(this, [event, ...args]);
  } as typeof serverPrototype.emit;
}

/**
 * The address of the client. Behind a reverse proxy (TRUST_PROXY=true) that is the first
 * address in X-Forwarded-For; otherwise the header is ignored, since anyone can send it.
 */
export function clientAddress(request: Request): string {
  if (process.env.TRUST_PROXY === "true") {
    const forwarded = request.headers.get("X-Forwarded-For")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  return store.getStore() ?? "unknown";
}
