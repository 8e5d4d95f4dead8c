import { getHistoryPost, getRevision } from "~/models/revision.server";
import { apiRevision } from "~/utils/api-revision.server";
import { apiError, apiOk, apiRoute } from "~/utils/api.server";
import { requirePostId, requireVersion } from "~/utils/http.server";

// GET /api/:postId/revisions/:version: one save of a post, with its text (public).

const handle = apiRoute({
  async GET({ params }) {
    const id = requirePostId(params.postId);
    const version = requireVersion(params.version);
    const revision = await getRevision(id, version);
    if (!revision) throw apiError(404, (await getHistoryPost(id)) ? `This post has no version ${version}.` : "No post has that id.");
    return apiOk({ data: apiRevision(revision) });
  },
});

export const loader = handle;
export const action = handle;
