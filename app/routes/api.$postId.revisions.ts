import { getHistoryPost, listRevisions } from "~/models/revision.server";
import { apiRevisionSummary } from "~/utils/api-revision.server";
import { apiError, apiOk, apiRoute, readPageParams } from "~/utils/api.server";
import { encodeCursor } from "~/utils/cursor.server";
import { requirePostId } from "~/utils/http.server";

// GET /api/:postId/revisions: a post's saves, newest first, paginated like /api (public).

const handle = apiRoute({
  async GET({ request, params }) {
    const id = requirePostId(params.postId);
    const { after, limit } = readPageParams(request);
    const [post, { revisions, next }] = await Promise.all([getHistoryPost(id), listRevisions(id, { before: after, limit })]);
    if (!post) throw apiError(404, "No post has that id.");
    return apiOk({ data: revisions.map(apiRevisionSummary), next: next ? encodeCursor(next) : null });
  },
});

export const loader = handle;
export const action = handle;
