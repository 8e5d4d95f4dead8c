/// <reference types="vite/client" />
import "@remix-run/node";

declare module "@remix-run/node" {
  // Single Fetch changes what loaders' data looks like on the client; tell the types.
  interface Future {
    v3_singleFetch: true;
  }

  /**
   * What the server (server/index.ts, through getLoadContext) tells loaders and actions.
   * Both are absent under plain `remix-serve`: app code must work without them.
   */
  interface AppLoadContext {
    /** The client's address as Express's `trust proxy` setting reads it (TRUST_PROXY hops). */
    clientAddress?: string;
    /** The CSP nonce of this response; the server keeps pages split at it. */
    cspNonce?: string;
    /** Why the path cannot be decoded (a stray `%`): the catch-all route answers 400 with it. */
    badPath?: string;
  }
}
