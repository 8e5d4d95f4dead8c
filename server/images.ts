// Images are most of the requests a page makes, and a thumbnail costs ~0.05 ms to answer,
// far less than going through Remix: so plain GETs of /:postId/image are answered here, by
// the same answerImageRequest as the route module (app/utils/image-serving.server.ts). Any
// other spelling of the URL goes on to Remix and that route.
import type { RequestHandler } from "express";
import type { AppHooks } from "./app-hooks.js";

// What the route matches as /:postId/image, in the form pages link to. Ids as parseId takes them.
const IMAGE_PATH = /^\/([1-9][0-9]{0,9})\/image$/;
const MAX_ID = 2_147_483_647;

export function imagesAheadOfRemix(app: Pick<AppHooks, "answerImageRequest">): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const match = IMAGE_PATH.exec(req.path);
    const postId = match ? Number(match[1]) : 0;
    if (!match || postId > MAX_ID) return next();
    const query = req.url.indexOf("?");
    app
      .answerImageRequest({
        postId,
        search: new URLSearchParams(query === -1 ? "" : req.url.slice(query + 1)),
        ifNoneMatch: req.headers["if-none-match"] ?? null,
      })
      .then(
        (image) => {
          res.writeHead(image.status, image.headers);
          res.end(req.method === "HEAD" ? undefined : (image.body ?? undefined));
        },
        () => next(), // a database failure: Remix gives it the app's error handling and 500 page
      );
  };
}
