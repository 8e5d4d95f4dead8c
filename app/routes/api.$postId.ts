import { deletePost, getPost, updatePost } from "~/models/post.server";
import { apiPost, ifMatchVersion, POST_NOT_FOUND, postHeaders, readFields, readPostEdit } from "~/utils/api-post.server";
import { apiError, apiOk, apiRoute, preconditionFailed, readJsonObject, requireApiUser } from "~/utils/api.server";
import { requirePostId } from "~/utils/http.server";
import { editorName } from "~/utils/names";

// One post: GET reads it (public), PATCH edits it (anyone signed in, credited as editor),
// DELETE removes it (its owner only). Its version is its ETag; If-Match makes a write
// conditional (412), as a "version" in a PATCH body does (409).

const ONLY_OWNER = "Only the person who wrote a post may delete it.";

const handle = apiRoute({
  async GET({ request, params }) {
    const id = requirePostId(params.postId);
    const fields = readFields(request, "post");
    const post = await getPost(id);
    if (!post) throw apiError(404, POST_NOT_FOUND);
    return apiOk({ data: apiPost(post, fields) }, { headers: postHeaders(post) });
  },

  async PATCH({ request, params }) {
    const id = requirePostId(params.postId);
    const user = await requireApiUser(request);
    const fields = readFields(request, "post");
    const { input, imageAlt, baseVersion: bodyVersion } = readPostEdit(await readJsonObject(request));
    const pinned = await ifMatchVersion(request, id);
    const baseVersion = bodyVersion ?? pinned;
    const result = await updatePost({ id, editorId: user.id, input, baseVersion, imageAlt });
    if (result.status === "missing") throw apiError(404, POST_NOT_FOUND);
    if (result.status === "conflict") {
      if (pinned !== null && baseVersion === pinned) throw preconditionFailed(result.current);
      const { version } = result.current;
      throw apiError(
        409,
        `The post changed after version ${baseVersion}: it is at version ${version} (last edited by ${editorName(result.current)}). Nothing was saved; fetch it again and reapply your change.`,
      );
    }
    const post = await getPost(id);
    if (!post) throw apiError(404, POST_NOT_FOUND); // deleted in the meantime
    return apiOk({ data: apiPost(post, fields) }, { headers: postHeaders(post) });
  },

  async DELETE({ request, params }) {
    const id = requirePostId(params.postId);
    const user = await requireApiUser(request);
    const version = await ifMatchVersion(request, id, (post) => {
      if (post.ownerId !== user.id) throw apiError(403, ONLY_OWNER);
    });
    const result = await deletePost({ id, userId: user.id, version: version ?? undefined });
    if (result === "missing") throw apiError(404, POST_NOT_FOUND);
    if (result === "forbidden") throw apiError(403, ONLY_OWNER);
    if (result === "moved") {
      const current = await getPost(id);
      throw current ? preconditionFailed(current) : apiError(404, POST_NOT_FOUND);
    }
    return apiOk({ id });
  },
});

export const loader = handle;
export const action = handle;
