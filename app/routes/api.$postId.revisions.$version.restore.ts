import { getRevision, restoreRevision } from "~/models/revision.server";
import { ifMatchVersion, readBaseVersion } from "~/utils/api-post.server";
import { apiRevision } from "~/utils/api-revision.server";
import { apiError, apiOk, apiRoute, preconditionFailed, readOptionalJsonObject, requireApiUser } from "~/utils/api.server";
import { requirePostId, requireVersion } from "~/utils/http.server";
import { editorName } from "~/utils/names";

// POST /api/:postId/revisions/:version/restore: puts that version's title, text and image
// back as a new save credited to the caller (anyone signed in, as with PATCH). An optional
// JSON body {"version": N} makes it conditional, like PATCH: 409 if the post moved past N
// (or If-Match with the post's ETag: 412).

const handle = apiRoute({
  async POST({ request, params }) {
    const id = requirePostId(params.postId);
    const version = requireVersion(params.version);
    const user = await requireApiUser(request);
    const bodyVersion = readBaseVersion(await readOptionalJsonObject(request));
    const pinned = await ifMatchVersion(request, id);
    const baseVersion = bodyVersion ?? pinned;
    const result = await restoreRevision({ postId: id, version, editorId: user.id, baseVersion });
    if (result.status === "missing") throw apiError(404, "No post has that id.");
    if (result.status === "no-revision") throw apiError(404, `This post has no version ${version}.`);
    if (result.status === "conflict") {
      if (pinned !== null && baseVersion === pinned) throw preconditionFailed(result.current);
      throw apiError(
        409,
        `The post changed after version ${baseVersion}: it is at version ${result.current.version} (last edited by ${editorName(result.current)}). Nothing was restored.`,
      );
    }
    const revision = await getRevision(id, result.version);
    if (!revision) throw apiError(404, "No post has that id."); // deleted in the meantime
    return apiOk({ data: apiRevision(revision) }, { status: 201, headers: { Location: `/api/${id}/revisions/${revision.version}` } });
  },
});

export const loader = handle;
export const action = handle;
