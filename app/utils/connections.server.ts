import { addRequestHook } from "~/utils/server-hooks.server";

/**
 * What happens to a connection once its answer is sent (a hook on the raw Node request,
 * see server-hooks.server.ts).
 *
 * - Many answers go out before the body is read: a redirect to the login page, a 404 for
 *   a bad id, a 405, 413 or 415. Node discards a body nobody touched, but Remix's adapter
 *   starts reading every body into a web stream and then pauses, so the rest of an upload
 *   stayed unread and the keep-alive connection stalled: the client's next request on it
 *   hung until a timeout reset the connection. The rest is now read into the void, as
 *   Node does itself (server.requestTimeout still ends a body that never finishes).
 * - On SIGTERM remix-serve calls server.close(): no new connections, idle ones closed.
 *   But a keep-alive connection whose request was still in flight went back to idle after
 *   its answer and held the process for the 5 s keep-alive timeout, open to new requests
 *   meanwhile. Once the server has stopped listening, connections close after their answer.
 */
addRequestHook("connections", (server, message, response, next) => {
  if (!server.listening) response.shouldKeepAlive = false; // answers "Connection: close"
  response.once("finish", () => {
    if (!message.complete && !message.destroyed) {
      message.removeAllListeners("data"); // the web stream nobody reads any more
      message.resume();
    }
    if (!server.listening) message.socket?.end();
  });
  return next();
});
