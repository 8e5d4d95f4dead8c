import { createPost, listPosts } from "~/models/post.server";
import { apiPost, apiPostSummary, readNewPost } from "~/utils/api-post.server";
import { apiOk, apiRoute, readJsonObject, readPageParams, requireApiUser } from "~/utils/api.server";
import { encodeCursor } from "~/utils/cursor.server";

// GET /api lists posts (public); POST /api creates one.

const handle = apiRoute({
  async GET({ request }) {
    const { after, limit } = readPageParams(request);
    const { posts, next } = await listPosts({ after, limit });
    return apiOk({ data: posts.map(apiPostSummary), next: next ? encodeCursor(next) : null });
  },

  async POST({ request }) {
    const user = await requireApiUser(request);
    // Owner and editor are whoever is asking; an "owner" in the body is ignored.
    const input = readNewPost(await readJsonObject(request));
    const post = await createPost({ input, ownerId: user.id });
    return apiOk({ data: apiPost(post) }, { status: 201, headers: { Location: `/api/${post.id}` } });
  },
});

export const loader = handle;
export const action = handle;
