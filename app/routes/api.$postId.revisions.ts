import { getHistoryPost, listRevisions } from "~/models/revision.server";
import { apiRevisionSummary } from "~/utils/api-revision.server";
import { apiError, apiOk, apiRoute, nextPageLink, readPageParams } from "~/utils/api.server";
import { encodeCursor } from "~/utils/cursor.server";
import { requirePostId } from "~/utils/http.server";

// GET /api/:postId/revisions: a post's saves, newest first, paginated like /api (public).

const handle = apiRoute({
  async GET({ request, params }) {
    const id = requirePostId(params.postId);
    const { after, limit } = readPageParams(request);
    const [post, { revisions, next }] = await Promise.all([getHistoryPost(id), listRevisions(id, { before: after, limit })]);
    if (!post) throw apiError(404, "No post has that id.");
    const cursor = next ? encodeCursor(next) : null;
    return apiOk(
      { data: revisions.map(apiRevisionSummary), next: cursor },
      { headers: cursor ? { Link: nextPageLink(request, cursor) } : undefined },
    );
  },
});

export const loader = handle;
export const action = handle;
