import { createPost, listPosts } from "~/models/post.server";
import { apiPost, apiPostSummary, postHeaders, readFields, readNewPost } from "~/utils/api-post.server";
import { apiOk, apiRoute, nextPageLink, readJsonObject, readPageParams, requireApiUser } from "~/utils/api.server";
import { encodeCursor } from "~/utils/cursor.server";

// GET /api lists posts (public); POST /api creates one. Items in the tutorial's shape
// unless ?fields= asks for others.

const handle = apiRoute({
  async GET({ request }) {
    const { after, limit } = readPageParams(request);
    const fields = readFields(request, "list");
    const { posts, next } = await listPosts({ after, limit });
    const cursor = next ? encodeCursor(next) : null;
    return apiOk(
      { data: posts.map((post) => apiPostSummary(post, fields)), next: cursor },
      { headers: cursor ? { Link: nextPageLink(request, cursor) } : undefined },
    );
  },

  async POST({ request }) {
    const user = await requireApiUser(request);
    const fields = readFields(request, "post");
    // Owner and editor are whoever the credentials say; an "owner" in the body is ignored.
    const input = readNewPost(await readJsonObject(request));
    const post = await createPost({ input, ownerId: user.id });
    return apiOk({ data: apiPost(post, fields) }, { status: 201, headers: postHeaders(post, { Location: `/api/${post.id}` }) });
  },
});

export const loader = handle;
export const action = handle;
