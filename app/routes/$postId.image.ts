import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePostId } from "~/utils/http.server";
import { answerImageRequest } from "~/utils/image-serving.server";

// Plain GETs of /:postId/image are answered by the server before they reach Remix, with the
// same answerImageRequest (server/index.ts); this serves every other spelling of the URL,
// and every request under plain remix-serve or the dev server.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const postId = requirePostId(params.postId);
  const url = new URL(request.url);
  const { status, headers, body } = await answerImageRequest({
    postId,
    search: url.searchParams,
    ifNoneMatch: request.headers.get("If-None-Match"),
  });
  return new Response(body as BodyInit | null, { status, headers });
}
