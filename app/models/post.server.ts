import type { Statement } from "better-sqlite3";
import type { ProcessedImage } from "~/utils/image.server";
import { prisma, readOnlyQuery, sqliteDate } from "~/utils/db.server";
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

export type PostSummary = {
  id: number;
  title: string;
  createdAt: Date;
  updatedAt: Date;
  imageHash: string | null;
  owner: { username: string };
  editor: { username: string };
};
export type PostDetail = PostSummary & { text: string; version: number; ownerId: number };

// Lists and post pages are the app's busiest reads, so they are plain SQL on the read-only
// connection: one statement each instead of Prisma's three (the post, then owner and
// editor in two more queries) at ~0.3 ms apiece; the front page serves 50% more requests
// a second for it (docs/decisions/005-performance.md). Names come from subqueries on the
// primary key, so the plan cannot change with the data: Post is read in id order, never
// sorted. test/unit/query-plan.test.ts holds these statements to that, and runs them
// against the migrated schema. Lists never select `text`, and nothing here reads images.
type SummaryRow = Omit<PostSummary, "createdAt" | "updatedAt" | "owner" | "editor"> & {
  createdAt: string;
  updatedAt: string;
  ownerName: string;
  editorName: string;
};
type DetailRow = SummaryRow & { text: string; version: number; ownerId: number };

const SUMMARY_COLUMNS = `p."id", p."title", p."createdAt", p."updatedAt", p."imageHash",
  (SELECT u."username" FROM "User" u WHERE u."id" = p."ownerId") AS "ownerName",
  (SELECT u."username" FROM "User" u WHERE u."id" = p."editorId") AS "editorName"`;
const listQuery = readOnlyQuery<[after: number, limit: number], SummaryRow>(
  `SELECT ${SUMMARY_COLUMNS} FROM "Post" p WHERE p."id" < ? ORDER BY p."id" DESC LIMIT ?`,
);
const postQuery = readOnlyQuery<[id: number], DetailRow>(
  `SELECT ${SUMMARY_COLUMNS}, p."text", p."version", p."ownerId" FROM "Post" p WHERE p."id" = ?`,
);

function summary({ ownerName, editorName, createdAt, updatedAt, ...row }: SummaryRow): PostSummary {
  return {
    ...row,
    createdAt: sqliteDate(createdAt),
    updatedAt: sqliteDate(updatedAt),
    owner: { username: ownerName },
    editor: { username: editorName },
  };
}


/**
 * One page of posts, newest first. The cursor is the id of the last post shown: each
 * page is an index range scan on the primary key, as cheap at post 100,000 as at post 20.
 */
export async function listPosts({ after, limit = PAGE_SIZE }: { after?: number | null; limit?: number }) {
  const rows = listQuery().all(after ?? Number.MAX_SAFE_INTEGER, limit + 1);
  const posts = rows.slice(0, limit).map(summary);
  const next = rows.length > limit ? posts[posts.length - 1].id : null;
  return { posts, next };
}

export async function getPost(id: number): Promise<PostDetail | null> {
  const row = postQuery().get(id);
  if (!row) return null;
  const { text, version, ownerId, ...rest } = row;
  return { ...summary(rest), text, version, ownerId };
}

function imageRow(image: ProcessedImage) {
  return {
    contentType: image.contentType,
    width: image.width,
    height: image.height,
    data: image.data,
    thumbnail: image.thumbnail,
  };
}

export async function createPost({ input, ownerId, image }: { input: PostInput; ownerId: number; image?: ProcessedImage | null }): Promise<PostDetail> {
  const { id } = await prisma.post.create({
    data: {
      ...input,
      ownerId,
      editorId: ownerId,
      imageHash: image?.hash ?? null,
      image: image ? { create: imageRow(image) } : undefined,
    },
    select: { id: true },
  });
  // Read back through getPost, the one definition of what a post looks like.
  const post = await getPost(id);
  if (!post) throw new Error(`Post ${id} vanished right after it was created`);
  return post;
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

// The image route's lookups are plain SQL on the read-only connection (see db.server.ts
// for why); test/unit/query-plan.test.ts checks them against the migrated schema.
const imageHashQuery = readOnlyQuery<[number], { imageHash: string | null }>(
  `SELECT "imageHash" FROM "Post" WHERE "id" = ?`,
);
// better-sqlite3 returns a BLOB as a Buffer of its own (never over a SharedArrayBuffer).
type ImageRow = { contentType: string; bytes: Buffer<ArrayBuffer> };
const imageBytesQueries: Record<ImageSize, () => Statement<[number], ImageRow>> = {
  full: readOnlyQuery(`SELECT "contentType", "data" AS "bytes" FROM "PostImage" WHERE "postId" = ?`),
  thumbnail: readOnlyQuery(`SELECT "contentType", "thumbnail" AS "bytes" FROM "PostImage" WHERE "postId" = ?`),
};

// Synchronous, unlike the rest of this module: the image fast path answers from inside the
// Node request event (app/utils/image-serving.server.ts).

/** The image's version alone (null: the post has no image; undefined: no such post). */
export function getImageHash(postId: number): string | null | undefined {
  const post = imageHashQuery().get(postId);
  return post ? post.imageHash : undefined;
}

/** The stored bytes of one size; only this query ever reads image data. */
export function getImageBytes(postId: number, size: ImageSize): ImageRow | null {
  return imageBytesQueries[size]().get(postId) ?? null;
}
