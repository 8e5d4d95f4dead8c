// Remix's request handler as Express middleware. The same steps as @remix-run/express's
// createRequestHandler (its own createRemixRequest and sendRemixResponse), with one more in
// between: `beforeSend` sees Remix's answer as a Fetch Response, so kept answers can keep
// it without wrapping Express's response object.
import { createRemixRequest, sendRemixResponse } from "@remix-run/express/dist/server.js";
import { createRequestHandler } from "@remix-run/node";

/**
 * @param {{
 *   build: import("@remix-run/node").ServerBuild | (() => Promise<import("@remix-run/node").ServerBuild>),
 *   mode: string,
 *   getLoadContext: (req: import("express").Request, res: import("express").Response) => import("@remix-run/node").AppLoadContext,
 *   beforeSend?: (res: import("express").Response, response: Response) => Promise<Response>,
 * }} options
 * @returns {import("express").RequestHandler}
 */
export function remixHandler({ build, mode, getLoadContext, beforeSend }) {
  const handleRequest = createRequestHandler(build, mode);
  return async (req, res, next) => {
    try {
      const request = createRemixRequest(req, res);
      let response = await handleRequest(request, getLoadContext(req, res));
      if (beforeSend) response = await beforeSend(res, response);
      await sendRemixResponse(res, response);
    } catch (error) {
      next(error);
    }
  };
}
