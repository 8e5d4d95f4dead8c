import type { PostDetail, PostInput, PostSummary } from "~/models/post.server";
import { apiError } from "~/utils/api.server";
import { postImageUrl } from "~/utils/image-url";
import { baseVersionSchema, PostCreateSchema, PostEditSchema } from "~/utils/post-schema";
import { apiProblems } from "~/utils/validation";

// Posts as the JSON API shows them and reads them; the rules themselves are the forms'
// schemas (app/utils/post-schema.ts), so a rule lives in one place.

export function apiPostSummary(post: PostSummary) {
  return {
    id: post.id,
    owner: post.owner.username,
    editor: post.editor?.username ?? null,
    title: post.title,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    image: post.imageHash ? postImageUrl(post) : null,
  };
}

export function apiPost(post: PostDetail) {
  const { id, owner, editor, title, ...rest } = apiPostSummary(post);
  return { id, owner, editor, title, text: post.text, version: post.version, ...rest, imageAlt: post.imageAlt };
}

/** A new post from `{"title", "text"}`: title required; other keys ignored. A bad field is a 400 naming it. */
export function readNewPost(body: Record<string, unknown>): PostInput {
  const parsed = PostCreateSchema.safeParse(body);
  if (!parsed.success) throw apiError(400, apiProblems(parsed.error));
  return parsed.data;
}

/** An edit: any of `title`, `text` and `imageAlt`, and optionally the `version` it was based on. */
export function readPostEdit(body: Record<string, unknown>): { input: Partial<PostInput>; imageAlt?: string; baseVersion: number | null } {
  const parsed = PostEditSchema.safeParse(body);
  if (!parsed.success) throw apiError(400, apiProblems(parsed.error));
  const { title, text, imageAlt, version } = parsed.data;
  const input: Partial<PostInput> = {};
  if (title !== undefined) input.title = title;
  if (text !== undefined) input.text = text;
  return { input, imageAlt, baseVersion: version ?? null };
}

/** The optional `version` a write is based on: it is refused (409) if the post has moved on. */
export function readBaseVersion(body: Record<string, unknown>): number | null {
  const parsed = baseVersionSchema.safeParse(body.version);
  if (!parsed.success) throw apiError(400, `Invalid "version": ${parsed.error.issues[0].message}`);
  return parsed.data ?? null;
}
