import { getImageBytes, getImageHash, type ImageSize } from "~/models/post.server";
import { PLACEHOLDER_SVG } from "~/utils/image.server";

// URLs carry the image's hash (`?v=`), so a cached copy can never be stale.
const IMMUTABLE = "public, max-age=31536000, immutable";
// Without a matching `v`, browsers must check back, cheaply, through the ETag.
const REVALIDATE = "public, max-age=0, must-revalidate";

export type ImageRequest = {
  postId: number;
  /** The `size` and `v` of the image's URL. */
  search: URLSearchParams;
  ifNoneMatch: string | null;
};
export type ImageAnswer = { status: 200 | 304 | 404; headers: Record<string, string>; body: Buffer | string | null };

/**
 * The answer to GET /:postId/image, whoever asks: the route module, and the server's fast
 * path ahead of Remix (server/index.ts), which gets it through the server build's entry
 * module. A revalidation is answered from the hash alone, without reading the image bytes.
 */
export async function answerImageRequest({ postId, search, ifNoneMatch }: ImageRequest): Promise<ImageAnswer> {
  const size: ImageSize = search.get("size") === "thumbnail" ? "thumbnail" : "full";
  const hash = await getImageHash(postId);
  if (hash === undefined) {
    return { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "No post has that address." };
  }

  const headers: Record<string, string> = {
    ETag: `"${hash ?? "placeholder"}-${size}"`,
    "Cache-Control": search.get("v") === (hash ?? "none") ? IMMUTABLE : REVALIDATE,
  };
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
