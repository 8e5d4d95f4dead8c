import type { LoaderFunctionArgs } from "@remix-run/node";
import { getImageBytes, getImageHash } from "~/models/post.server";
import { requirePostId } from "~/utils/http.server";
import { PLACEHOLDER_SVG } from "~/utils/image.server";
import { applySecurityHeaders } from "~/utils/security-headers.server";

// URLs carry the image's hash (`?v=`), so a cached copy can never be stale.
const IMMUTABLE = "public, max-age=31536000, immutable";
// Without a matching `v`, browsers must check back, cheaply, through the ETag.
const REVALIDATE = "public, max-age=0, must-revalidate";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = requirePostId(params.postId);
  const url = new URL(request.url);
  const size = url.searchParams.get("size") === "thumbnail" ? "thumbnail" : "full";
  const hash = await getImageHash(id);
  if (hash === undefined) return new Response("No post has that address.", { status: 404, headers: headers(request) });

  const etag = `"${hash ?? "placeholder"}-${size}"`;
  const cacheControl = url.searchParams.get("v") === (hash ?? "none") ? IMMUTABLE : REVALIDATE;
  const responseHeaders = headers(request, { ETag: etag, "Cache-Control": cacheControl });
  // Answer revalidation from the hash alone, without reading the image bytes.
  if (matchesEtag(request.headers.get("If-None-Match"), etag)) {
    return new Response(null, { status: 304, headers: responseHeaders });
  }

  const image = hash ? await getImageBytes(id, size) : null;
  if (!image) {
    responseHeaders.set("Content-Type", "image/svg+xml");
    return new Response(PLACEHOLDER_SVG, { headers: responseHeaders });
  }
  responseHeaders.set("Content-Type", image.contentType);
  responseHeaders.set("Content-Length", String(image.bytes.byteLength));
  return new Response(image.bytes, { headers: responseHeaders });
}

function headers(request: Request, init?: Record<string, string>) {
  const result = new Headers(init);
  applySecurityHeaders(result, request);
  return result;
}

function matchesEtag(ifNoneMatch: string | null, etag: string) {
  if (!ifNoneMatch) return false;
  return ifNoneMatch === "*" || ifNoneMatch.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === etag);
}
