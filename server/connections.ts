// What happens to a connection once its answer is sent, and how the server stops.
import type http from "node:http";
import type { RequestHandler } from "express";

let inFlight = 0;

/** How many requests this process is answering now. */
export function requestsInFlight() {
  return inFlight;
}

/**
 * Counts the requests in flight (for the shutdown log), and reads to its end a body left
 * unread after the answer. Many answers go out before the body is read: a redirect to the
 * login page, a 403 from the origin check, a 404 for a bad id, a 405, 413 or 415. Node
 * discards a body nobody touched, but Remix's adapter starts reading every body into a web
 * stream and then pauses, so the rest of an upload stayed unread and the keep-alive
 * connection stalled: the client's next request on it hung until a timeout. So the rest is
 * read into the void, as Node does itself (the server's requestTimeout still ends a body
 * that never finishes).
 */
export const trackRequests: RequestHandler = (req, res, next) => {
  inFlight++;
  res.once("close", () => {
    inFlight--;
    if (!req.complete && !req.destroyed) {
      req.removeAllListeners("data"); // the web stream nobody reads any more
      req.resume();
    }
  });
  next();
};

/**
 * Stops taking connections and lets the requests in flight finish (uploads included), then
 * resolves. Keep-alive connections are closed as soon as they are idle, and answers given
 * meanwhile say `Connection: close`, so no client sends another request on them.
 */
export function drain(server: http.Server, { timeoutMs }: { timeoutMs: number }): Promise<"drained" | "timed out"> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      clearInterval(closing);
      server.closeAllConnections();
      resolve("timed out");
    }, timeoutMs);
    const closing = setInterval(() => server.closeIdleConnections(), 50);
    server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!res.headersSent) res.setHeader("Connection", "close");
    });
    server.close(() => {
      clearTimeout(timer);
      clearInterval(closing);
      resolve("drained");
    });
    server.closeIdleConnections();
  });
}
