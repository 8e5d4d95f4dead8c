import type { LoaderFunctionArgs } from "@remix-run/node";
import { getImageBytes } from "~/models/post.server";
import { getRevisionImageHash } from "~/models/revision.server";
import { requirePostId, requireVersion } from "~/utils/http.server";

// The image an old version showed, `?size=thumbnail` for 64x64. A revision never changes
// (post ids are never reused), so its image may be cached for good.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const postId = requirePostId(params.postId);
  const version = requireVersion(params.version);
  const size = new URL(request.url).searchParams.get("size") === "thumbnail" ? "thumbnail" : "full";
  const hash = await getRevisionImageHash(postId, version);
  // Security headers are the server's, on every response (server/security-headers.ts).
  const headers = new Headers({ "Content-Type": "text/plain; charset=utf-8" });
  if (!hash) return new Response(hash === null ? "This version has no image." : "This post has no such version.", { status: 404, headers });

  headers.set("ETag", `"${hash}-${size}"`);
  headers.set("Cache-Control", "public, max-age=31536000, immutable");
  if (request.headers.get("If-None-Match")?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === headers.get("ETag"))) {
    headers.delete("Content-Type");
    return new Response(null, { status: 304, headers });
  }
  const image = await getImageBytes(hash, size);
  if (!image) return new Response("This version's image is gone.", { status: 404, headers });
  headers.set("Content-Type", image.contentType);
  return new Response(image.bytes as unknown as BodyInit, { headers });
}
