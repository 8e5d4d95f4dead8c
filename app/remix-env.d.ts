/// <reference types="vite/client" />
import "@remix-run/node";

// Single Fetch changes what loaders' data looks like on the client; tell the types.
declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}
