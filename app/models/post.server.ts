import type { ProcessedImage } from "~/utils/image.server";
import { prisma } from "~/utils/db.server";
import { TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from "~/utils/rules";
import { hasControlCharacters, hasErrors, type FieldErrors, type Validated } from "~/utils/validation";

export const PAGE_SIZE = 20;

type PostField = "title" | "text";
export type PostInput = { title: string; text: string };

/** The one set of rules for a post's fields, used by the forms and the API alike. */
export function validatePostInput(input: PostInput): Validated<PostInput, PostField> {
  const title = input.title.trim();
  const text = input.text.replace(/\r\n/g, "\n");
  const errors: FieldErrors<PostField> = {};
  if (!title) errors.title = "A post needs a title.";
  else if (title.length > TITLE_MAX_LENGTH)
    errors.title = `The title can have at most ${TITLE_MAX_LENGTH} characters (it has ${title.length}).`;
  else if (hasControlCharacters(title) || /[\r\n\t]/.test(title))
    errors.title = "The title cannot contain line breaks or control characters.";
  if (text.length > TEXT_MAX_LENGTH)
    errors.text = `The text can have at most ${TEXT_MAX_LENGTH.toLocaleString("en")} characters (it has ${text.length.toLocaleString("en")}).`;
  else if (hasControlCharacters(text)) errors.text = "The text cannot contain control characters.";
  return hasErrors(errors) ? { ok: false, errors } : { ok: true, value: { title, text } };
}

// What lists show: no text, and never the image bytes (they live in PostImage).
const summaryFields = {
  id: true,
  title: true,
  createdAt: true,
  updatedAt: true,
  imageHash: true,
  owner: { select: { username: true } },
  editor: { select: { username: true } },
} as const;

const detailFields = { ...summaryFields, text: true, version: true, ownerId: true } as const;

/**
 * One page of posts, newest first. The cursor is the id of the last post shown: each
 * page is an index range scan on the primary key, as cheap at post 100,000 as at post 20.
 */
export async function listPosts({ after, limit = PAGE_SIZE }: { after?: number | null; limit?: number }) {
  const rows = await prisma.post.findMany({
    select: summaryFields,
    where: after ? { id: { lt: after } } : undefined,
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const posts = rows.slice(0, limit);
  const next = rows.length > limit ? posts[posts.length - 1].id : null;
  return { posts, next };
}

export type PostSummary = Awaited<ReturnType<typeof listPosts>>["posts"][number];

export function getPost(id: number) {
  return prisma.post.findUnique({ where: { id }, select: detailFields });
}

export type PostDetail = NonNullable<Awaited<ReturnType<typeof getPost>>>;

function imageRow(image: ProcessedImage) {
  return {
    contentType: image.contentType,
    width: image.width,
    height: image.height,
    data: image.data,
    thumbnail: image.thumbnail,
  };
}

export function createPost({ input, ownerId, image }: { input: PostInput; ownerId: number; image?: ProcessedImage | null }) {
  return prisma.post.create({
    data: {
      ...input,
      ownerId,
      editorId: ownerId,
      imageHash: image?.hash ?? null,
      image: image ? { create: imageRow(image) } : undefined,
    },
    select: detailFields,
  });
}

export type UpdateResult =
  | { status: "saved"; post: PostDetail }
  | { status: "conflict"; current: PostDetail }
  | { status: "missing" };

/**
 * Saves an edit and credits it to `editorId`. With `baseVersion`, the save only happens if
 * nobody saved since that version was loaded: the compare-and-set is a single UPDATE, so
 * two concurrent saves can never both win.
 */
export async function updatePost({
  id,
  editorId,
  input,
  baseVersion,
  image,
}: {
  id: number;
  editorId: number;
  input: Partial<PostInput>;
  baseVersion?: number | null;
  image?: ProcessedImage | null;
}): Promise<UpdateResult> {
  const saved = await prisma.$transaction(async (tx) => {
    const { count } = await tx.post.updateMany({
      where: { id, ...(baseVersion != null ? { version: baseVersion } : {}) },
      data: {
        ...input,
        editorId,
        version: { increment: 1 },
        ...(image ? { imageHash: image.hash } : {}),
      },
    });
    if (count === 1 && image) {
      await tx.postImage.upsert({
        where: { postId: id },
        create: { postId: id, ...imageRow(image) },
        update: imageRow(image),
      });
    }
    return count === 1;
  });
  const post = await getPost(id);
  if (!post) return { status: "missing" };
  return saved ? { status: "saved", post } : { status: "conflict", current: post };
}

export type DeleteResult = "deleted" | "missing" | "forbidden";

/** Deletes the post if `userId` owns it; the owner check is part of the query itself. */
export async function deletePost({ id, userId }: { id: number; userId: number }): Promise<DeleteResult> {
  const { count } = await prisma.post.deleteMany({ where: { id, ownerId: userId } });
  if (count === 1) return "deleted";
  const exists = await prisma.post.findUnique({ where: { id }, select: { id: true } });
  return exists ? "forbidden" : "missing";
}

export type ImageSize = "full" | "thumbnail";

/** The image's version alone (null: the post has no image; undefined: no such post). */
export async function getImageHash(postId: number): Promise<string | null | undefined> {
  const post = await prisma.post.findUnique({ where: { id: postId }, select: { imageHash: true } });
  return post ? post.imageHash : undefined;
}

/** The stored bytes of one size; only this query ever reads image data. */
export async function getImageBytes(postId: number, size: ImageSize) {
  const image = await prisma.postImage.findUnique({
    where: { postId },
    select: { contentType: true, data: size === "full", thumbnail: size === "thumbnail" },
  });
  if (!image) return null;
  return { contentType: image.contentType, bytes: size === "full" ? image.data : image.thumbnail };
}
