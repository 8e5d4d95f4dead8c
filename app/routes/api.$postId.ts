import { deletePost, getPost, updatePost } from "~/models/post.server";
import { apiPost, readPostEdit } from "~/utils/api-post.server";
import { apiError, apiOk, apiRoute, readJsonObject, requireApiUser } from "~/utils/api.server";
import { requirePostId } from "~/utils/http.server";
import { editorName } from "~/utils/names";

// One post: GET reads it (public), PATCH edits it (anyone signed in, credited as editor),
// DELETE removes it (its owner only).

const NOT_FOUND = "No post has that id.";

const handle = apiRoute({
  async GET({ params }) {
    const post = await getPost(requirePostId(params.postId));
    if (!post) throw apiError(404, NOT_FOUND);
    return apiOk({ data: apiPost(post) });
  },

  async PATCH({ request, params }) {
    const id = requirePostId(params.postId);
    const user = await requireApiUser(request);
    const { input, imageAlt, baseVersion } = readPostEdit(await readJsonObject(request));
    const result = await updatePost({ id, editorId: user.id, input, baseVersion, imageAlt });
    if (result.status === "missing") throw apiError(404, NOT_FOUND);
    if (result.status === "conflict") {
      const { version } = result.current;
      throw apiError(
        409,
        `The post changed after version ${baseVersion}: it is at version ${version} (last edited by ${editorName(result.current)}). Nothing was saved; fetch it again and reapply your change.`,
      );
    }
    const post = await getPost(id);
    if (!post) throw apiError(404, NOT_FOUND); // deleted in the meantime
    return apiOk({ data: apiPost(post) });
  },

  async DELETE({ request, params }) {
    const id = requirePostId(params.postId);
    const user = await requireApiUser(request);
    const result = await deletePost({ id, userId: user.id });
    if (result === "missing") throw apiError(404, NOT_FOUND);
    if (result === "forbidden") throw apiError(403, "Only the person who wrote a post may delete it.");
    return apiOk({ id });
  },
});

export const loader = handle;
export const action = handle;
