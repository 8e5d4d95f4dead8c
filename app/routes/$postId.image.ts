import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePostId } from "~/utils/http.server";
import { answerImageRequest } from "~/utils/image-serving.server";
import { isHttpsRequest } from "~/utils/security-headers.server";

// Plain GETs of /:postId/image are answered before they reach Remix (see
// image-serving.server.ts); this serves every other spelling of the same URL.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const postId = requirePostId(params.postId);
  const url = new URL(request.url);
  const { status, headers, body } = await answerImageRequest({
    postId,
    search: url.searchParams,
    ifNoneMatch: request.headers.get("If-None-Match"),
    https: isHttpsRequest(request),
  });
  return new Response(body as BodyInit | null, { status, headers });
}
