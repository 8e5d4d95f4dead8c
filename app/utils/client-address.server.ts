import { AsyncLocalStorage } from "node:async_hooks";
import { addRequestHook } from "~/utils/server-hooks.server";

// remix-serve builds the Fetch `Request` without the caller's socket, so loaders and actions
// cannot see where a request came from. This hook carries the socket's address through the
// whole handling of the request in an AsyncLocalStorage scope.
const store = new AsyncLocalStorage<string | undefined>();
addRequestHook("client-address", (_server, request, _response, next) => store.run(request.socket?.remoteAddress, next));

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
