import { Writable } from "node:stream";
import type { EntryContext, HandleDataRequestFunction, HandleErrorFunction } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "~/utils/nonce";
import { keepPage } from "~/utils/page-cache.server";
import { applySecurityHeaders, createNonce } from "~/utils/security-headers.server";
// For their side effects on the HTTP server, in this order: how connections end after each
// answer, then images and kept pages answered ahead of Remix (see server-hooks.server.ts).
import "~/utils/connections.server";
import "~/utils/image-serving.server";
import "~/utils/page-cache.server";

// How long single-fetch may keep a stream open; Quill's loaders do not stream.
export const streamTimeout = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  const nonce = createNonce();
  applySecurityHeaders(responseHeaders, request, nonce);
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
          // Sent as one buffer, not as React's dozens of small chunks: remix-serve's
          // compression makes each chunk a zlib job of its own, which halved the pages
          // served a second to browsers (they all ask for Brotli or gzip).
          const chunks: Buffer[] = [];
          const body = new Writable({
            write(chunk: Buffer, _encoding, done) {
              chunks.push(chunk);
              done();
            },
            final(done) {
              responseHeaders.set("Content-Type", "text/html; charset=utf-8");
              const html = Buffer.concat(chunks);
              keepPage({ context: remixContext, status: responseStatusCode, headers: responseHeaders, html, nonce });
              resolve(new Response(html, { headers: responseHeaders, status: responseStatusCode }));
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

export const handleDataRequest: HandleDataRequestFunction = (response, { request }) => {
  applySecurityHeaders(response.headers, request);
  return response;
};

export const handleError: HandleErrorFunction = (error, { request }) => {
  // A client that went away is not a server error.
  if (request.signal.aborted) return;
  console.error(error);
};
