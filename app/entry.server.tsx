import { Writable } from "node:stream";
import type { AppLoadContext, EntryContext, HandleDataRequestFunction, HandleErrorFunction } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "~/utils/nonce";
import { pageCacheControl, PRIVATE_PAGE } from "~/utils/page-caching.server";
import { contentSecurityPolicy, createNonce } from "~/utils/security-headers.server";

// What the server (server/index.ts) calls from the app, through the server build
// (`build.entry.module`): the fast paths ahead of Remix use the same functions as the routes.
export { answerImageRequest } from "~/utils/image-serving.server";
export { decodeImagesWith } from "~/utils/image.server";
export { contentVersion } from "~/utils/db.server";
export { pageVariant } from "~/utils/page-caching.server";
export { hasSessionCookie } from "~/utils/session.server";
// The largest request body any route reads (a form with an image): the server refuses a
// larger one before it is sent (server/expect-continue.ts).
export { MAX_BODY_BYTES as maxRequestBodyBytes } from "~/utils/form.server";

// How long single-fetch may keep a stream open; Quill's loaders do not stream.
export const streamTimeout = 5_000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext?: AppLoadContext,
) {
  // The server makes the nonce when it runs (it keeps pages split at it); remix-serve does not.
  const nonce = loadContext?.cspNonce ?? createNonce();
  responseHeaders.set("Content-Security-Policy", contentSecurityPolicy(nonce));
  // A route's own headers (a page that shows a secret once says no-store) come first.
  if (!responseHeaders.has("Cache-Control")) responseHeaders.set("Cache-Control", await pageCacheControl(request, remixContext));
  responseHeaders.append("Vary", "Cookie");
  return new Promise<Response>((resolve, reject) => {
    // Cleared once the page is rendered: while pending, this timer keeps the whole render
    // (request, loader data, React's tree) reachable, which under load held every page
    // of the last 6 s in memory, about 300 MB (docs/decisions/005-performance.md).
    const timer = setTimeout(() => abort(), streamTimeout + 1_000);
    // Pages are small and never deferred, so wait for the whole page: one simple path
    // for browsers and crawlers alike, and the status code is final when sent.
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        onAllReady() {
          clearTimeout(timer);
          // Sent as one buffer, not as React's dozens of small chunks: the compression
          // middleware makes each chunk a zlib job of its own, which halved the pages
          // served a second to browsers (they all ask for Brotli or gzip).
          const chunks: Buffer[] = [];
          const body = new Writable({
            write(chunk: Buffer, _encoding, done) {
              chunks.push(chunk);
              done();
            },
            final(done) {
              responseHeaders.set("Content-Type", "text/html; charset=utf-8");
              resolve(new Response(Buffer.concat(chunks), { headers: responseHeaders, status: responseStatusCode }));
              done();
            },
          });
          pipe(body);
        },
        onShellError(error: unknown) {
          clearTimeout(timer);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          console.error(error);
        },
      },
    );
  });
}

// Single-fetch data of a page: per visitor, like a signed-in page.
export const handleDataRequest: HandleDataRequestFunction = (response) => {
  if (!response.headers.has("Cache-Control")) response.headers.set("Cache-Control", PRIVATE_PAGE);
  response.headers.append("Vary", "Cookie");
  return response;
};

export const handleError: HandleErrorFunction = (error, { request }) => {
  // A client that went away is not a server error.
  if (request.signal.aborted) return;
  console.error(error);
};
