// `Expect: 100-continue`: a client asks whether to send its body before it sends it (curl
// does for bodies over 1 MB). Left alone, Node answers `100 Continue` at once, so a 20 MB
// upload that would be refused was sent anyway, or the client waited for an answer that
// only came when the request timed out. With a 'checkContinue' listener Node leaves it to
// us: a request that will be refused whatever its body says gets its final answer at once
// (cross-site: the origin check's 403; larger than any address takes: 413; an address no
// route claims: the app's 404), and `100 Continue` is sent only when the request goes on to
// the route that reads it. Refused that way, the connection is closed after the answer: the
// client may send the body it announced or not, and either guess would misread what follows.
import type http from "node:http";
import type { ServerBuild } from "@remix-run/node";
import { matchRoutes } from "@remix-run/react";
import type { Express, RequestHandler } from "express";

type RouteObject = Parameters<typeof matchRoutes>[0][number];
type RouteManifest = ServerBuild["routes"];

/** Requests that arrived with `Expect: 100-continue` and have not been told to continue. */
const waiting = new WeakSet<http.IncomingMessage>();

/** The server's 'checkContinue' listener: the request goes through `app` like any other. */
export function checkContinue(app: Express) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    waiting.add(req);
    res.setHeader("Connection", "close");
    app(req, res);
  };
}

/**
 * The last step before Remix: sends `100 Continue`, or answers 413, or leaves the app's
 * 404 to Remix without asking for the body. `maxBodyBytes`: the largest body any route
 * reads; `routes`: the build's (none in development, where every request goes on).
 */
export function continueToRemix({ maxBodyBytes, routes }: { maxBodyBytes: number; routes?: RouteManifest }): RequestHandler {
  const tree = routes ? routeTree(routes) : undefined;
  return (req, res, next) => {
    if (!waiting.has(req)) return next();
    waiting.delete(req);
    if (Number(req.headers["content-length"]) > maxBodyBytes) {
      const reason = `The request is too large: nothing on this site takes more than ${Math.round(maxBodyBytes / 1024 / 1024)} MB.`;
      if (/^\/api(?:\/|$)/i.test(req.path)) res.status(413).json({ status: "failed", reason });
      else res.status(413).type("text/plain").send(reason);
      return;
    }
    const leaf = tree ? matchRoutes(tree, req.path)?.at(-1) : undefined;
    // Only the catch-all routes (`$.tsx`, `api.$.ts`) match: they answer 404 and read nothing.
    if (leaf && /(?:^|\/)\*$/.test(leaf.route.path ?? "")) return next();
    res.removeHeader("Connection");
    res.writeContinue();
    next();
  };
}

/** The build's flat route list as the nested tree matchRoutes takes, made once. */
function routeTree(routes: RouteManifest): RouteObject[] {
  const byParent = new Map<string | undefined, RouteManifest[string][]>();
  for (const route of Object.values(routes)) byParent.set(route.parentId, [...(byParent.get(route.parentId) ?? []), route]);
  const children = (parentId: string | undefined): RouteObject[] =>
    (byParent.get(parentId) ?? []).map((route) =>
      route.index
        ? { id: route.id, path: route.path, index: true, caseSensitive: route.caseSensitive }
        : { id: route.id, path: route.path, caseSensitive: route.caseSensitive, children: children(route.id) },
    );
  return children(undefined);
}
