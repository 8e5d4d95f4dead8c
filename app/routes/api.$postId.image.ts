import { getPost, updatePost } from "~/models/post.server";
import { apiPost, ifMatchVersion, POST_NOT_FOUND, postHeaders, readFields } from "~/utils/api-post.server";
import { apiError, apiOk, apiRoute, mediaType, preconditionFailed, readBody, requireApiUser } from "~/utils/api.server";
import { requirePostId } from "~/utils/http.server";
import { imageTooLarge, MAX_IMAGE_BYTES, processImage } from "~/utils/image.server";

// PUT /api/:postId/image with the raw image as the body: the same checks, sizes and
// storage as an image chosen in the edit form. The image itself is served at /:postId/image.
// If-Match makes it conditional, as on PATCH.

const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];

const handle = apiRoute({
  async PUT({ request, params }) {
    const id = requirePostId(params.postId);
    const user = await requireApiUser(request);
    const fields = readFields(request, "post");
    if (!IMAGE_TYPES.includes(mediaType(request))) {
      throw apiError(415, `Send the image as the body, with a Content-Type of ${IMAGE_TYPES.join(", ")}.`);
    }
    const pinned = await ifMatchVersion(request, id);
    // processImage decodes the bytes to learn what they really are; the header only gates.
    const image = await processImage(await readBody(request, MAX_IMAGE_BYTES, imageTooLarge), { uploader: user.id });
    const result = await updatePost({ id, editorId: user.id, input: {}, image, baseVersion: pinned });
    if (result.status === "conflict") throw preconditionFailed(result.current);
    const post = result.status === "saved" ? await getPost(id) : null;
    if (!post) throw apiError(404, POST_NOT_FOUND);
    return apiOk({ data: apiPost(post, fields) }, { headers: postHeaders(post) });
  },
});

export const loader = handle;
export const action = handle;
