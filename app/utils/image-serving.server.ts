import { getImageBytes, getImageHash, type ImageSize } from "~/models/post.server";
import { PLACEHOLDER_SVG } from "~/utils/image.server";
import { parseId } from "~/utils/http.server";
import { isHttpsMessage, securityHeaders } from "~/utils/security-headers.server";
import { addRequestHook, answer } from "~/utils/server-hooks.server";

// URLs carry the image's hash (`?v=`), so a cached copy can never be stale.
const IMMUTABLE = "public, max-age=31536000, immutable";
// Without a matching `v`, browsers must check back, cheaply, through the ETag.
const REVALIDATE = "public, max-age=0, must-revalidate";

export type ImageRequest = {
  postId: number;
  /** The `size` and `v` of the image's URL. */
  search: URLSearchParams;
  ifNoneMatch: string | null;
  https: boolean;
};
export type ImageAnswer = { status: 200 | 304 | 404; headers: Record<string, string>; body: Buffer | string | null };

/**
 * The answer to GET /:postId/image, whoever asks: the route module and the fast path
 * below. A revalidation is answered from the hash alone, without reading the image bytes.
 */
export async function answerImageRequest({ postId, search, ifNoneMatch, https }: ImageRequest): Promise<ImageAnswer> {
  const size: ImageSize = search.get("size") === "thumbnail" ? "thumbnail" : "full";
  const hash = await getImageHash(postId);
  const headers = securityHeaders({ https });
  if (hash === undefined) {
    return { status: 404, headers: { ...headers, "Content-Type": "text/plain; charset=utf-8" }, body: "No post has that address." };
  }

  headers.ETag = `"${hash ?? "placeholder"}-${size}"`;
  headers["Cache-Control"] = search.get("v") === (hash ?? "none") ? IMMUTABLE : REVALIDATE;
  if (matchesEtag(ifNoneMatch, headers.ETag)) return { status: 304, headers, body: null };

  const image = hash ? await getImageBytes(hash, size) : null;
  if (!image) return { status: 200, headers: { ...headers, "Content-Type": "image/svg+xml" }, body: PLACEHOLDER_SVG };
  headers["Content-Type"] = image.contentType;
  headers["Content-Length"] = String(image.bytes.byteLength);
  return { status: 200, headers, body: image.bytes };
}

function matchesEtag(ifNoneMatch: string | null, etag: string) {
  if (!ifNoneMatch) return false;
  return ifNoneMatch === "*" || ifNoneMatch.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === etag);
}

// What the route matches as /:postId/image, in the plain form pages link to. Anything
// else (other spellings, bad ids, other methods) goes on to Remix and the route module.
const IMAGE_PATH = /^\/([0-9]+)\/image(?:\?(.*))?$/;

/**
 * Images are most of the requests a page makes, and going through remix-serve's Express
 * stack and Remix's request handling cost ~0.6 ms of CPU each, ten times the answer
 * itself: so they are answered here, from the raw Node request (server-hooks.server.ts),
 * by the same answerImageRequest as the route (docs/decisions/005-performance.md).
 */
addRequestHook("images", (_server, message, response, next) => {
  if (message.method !== "GET" && message.method !== "HEAD") return next();
  const match = IMAGE_PATH.exec(message.url ?? "");
  const postId = match ? parseId(match[1]) : null;
  if (!match || postId === null) return next();
  const ifNoneMatch = message.headers["if-none-match"];
  answerImageRequest({
    postId,
    search: new URLSearchParams(match[2] ?? ""),
    ifNoneMatch: typeof ifNoneMatch === "string" ? ifNoneMatch : null,
    https: isHttpsMessage(message),
  }).then(
    (image) => answer(message, response, image.status, image.headers, image.body),
    () => next(), // a database failure: Remix gives it the app's error handling and 500 page
  );
  return true;
});
