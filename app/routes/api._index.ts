import { createPost, listPosts } from "~/models/post.server";
import { apiPost, apiPostSummary, readNewPost } from "~/utils/api-post.server";
import { apiError, apiOk, apiRoute, readJsonObject, requireApiUser } from "~/utils/api.server";
import { decodeCursor, encodeCursor } from "~/utils/cursor.server";

// GET /api lists posts (public); POST /api creates one.

const DEFAULT_LIMIT = 50;
// Asking for more is refused rather than quietly cut down: a client that takes a short
// page for the last one would otherwise stop early.
const MAX_LIMIT = 200;

const handle = apiRoute({
  async GET({ request }) {
    const params = new URL(request.url).searchParams;
    const after = decodeCursor(params.get("cursor"));
    if (after === null) throw apiError(400, 'Invalid "cursor": use the "next" value of the page before.');
    const rawLimit = params.get("limit");
    const limit = rawLimit === null ? DEFAULT_LIMIT : /^[1-9][0-9]{0,2}$/.test(rawLimit) ? Number(rawLimit) : 0;
    if (limit < 1 || limit > MAX_LIMIT) throw apiError(400, `Invalid "limit": it must be a whole number from 1 to ${MAX_LIMIT}.`);

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
