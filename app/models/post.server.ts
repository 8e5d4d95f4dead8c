import type { ProcessedImage } from "~/utils/image.server";
import { MAX_ID, Prisma, bumpContentVersion, reader, write, type Image, type Post, type Transaction, type User } from "~/utils/db.server";
import { changeSize, type ChangeSize, type PostState } from "~/utils/word-diff.server";

export const PAGE_SIZE = 20;

export type PostInput = { title: string; text: string };

/** A post as lists show it: Prisma's Post columns, with the names of its owner and last editor. */
export type PostSummary = Pick<Post, "id" | "title" | "version" | "createdAt" | "updatedAt" | "imageHash"> & {
  owner: Pick<User, "username">;
  /** Null once the account of whoever saved last has been deleted. */
  editor: Pick<User, "username"> | null;
};
export type PostDetail = PostSummary & Pick<Post, "text" | "ownerId" | "imageAlt">;

// Lists and post pages are the app's busiest reads: one statement each, names from
// subqueries on the primary key, so the plan cannot change with the data (Post is read in
// id order, never sorted). test/unit/query-plan.test.ts holds them to that. Lists never
// select `text`, and nothing here reads image bytes. They are typed raw SQL, the same on
// both databases: Prisma's `findMany` with the two names costs three statements and reads
// whole texts (docs/decisions/013-prisma-client.md); test/unit/raw-queries.test.ts checks
// each row type against what the ORM reads for the same rows.
const SUMMARY_COLUMNS = Prisma.sql`"p"."id", "p"."title", "p"."version", "p"."createdAt", "p"."updatedAt", "p"."imageHash",
  (SELECT "u"."username" FROM "User" AS "u" WHERE "u"."id" = "p"."ownerId") AS "ownerName",
  (SELECT "u"."username" FROM "User" AS "u" WHERE "u"."id" = "p"."editorId") AS "editorName"`;

/** How much of each post's text the front page reads, for its excerpt. */
const OPENING_LENGTH = 600;
const OPENING = Prisma.raw(`substr("p"."text", 1, ${OPENING_LENGTH}) AS "opening"`);

type SummaryRow = Pick<Post, "id" | "title" | "version" | "createdAt" | "updatedAt" | "imageHash"> & {
  ownerName: User["username"] | null;
  editorName: User["username"] | null;
};
type OpeningRow = SummaryRow & { opening: string };

function summary({ ownerName, editorName, ...row }: SummaryRow): PostSummary {
  return { ...row, owner: { username: ownerName ?? "" }, editor: editorName === null ? null : { username: editorName } };
}

function withOpening({ opening, ...row }: OpeningRow): PostWithOpening {
  return { ...summary(row), opening };
}

/**
 * One page of posts, newest first. The cursor is the id of the last post shown: each
 * page is an index range scan on the primary key, as cheap at post 100,000 as at post 20.
 */
export async function listPosts({ after, limit = PAGE_SIZE }: { after?: number | null; limit?: number }) {
  const rows = await reader().$queryRaw<SummaryRow[]>`SELECT ${SUMMARY_COLUMNS} FROM "Post" AS "p"
    WHERE "p"."id" < ${after ?? MAX_ID} ORDER BY "p"."id" DESC LIMIT ${limit + 1}`;
  const posts = rows.slice(0, limit).map(summary);
  const next = rows.length > limit ? posts[posts.length - 1].id : null;
  return { posts, next };
}

export type PostWithOpening = PostSummary & { opening: string };

/**
 * listPosts, with the first 600 characters of each post's text (for excerpts): the same
 * range scan, never the whole of a 100,000-character post.
 */
export async function listPostsWithOpenings({ after, limit = PAGE_SIZE }: { after?: number | null; limit?: number }) {
  const rows = await reader().$queryRaw<OpeningRow[]>`SELECT ${SUMMARY_COLUMNS}, ${OPENING} FROM "Post" AS "p"
    WHERE "p"."id" < ${after ?? MAX_ID} ORDER BY "p"."id" DESC LIMIT ${limit + 1}`;
  const posts = rows.slice(0, limit).map(withOpening);
  const next = rows.length > limit ? posts[posts.length - 1].id : null;
  return { posts, next };
}

/**
 * A page of the posts `userId` wrote ("written") or last edited and did not write
 * ("edited"), newest first. Each is a range on its foreign-key index (which holds the post
 * id too), so pages cost the same at any depth.
 */
export async function listPostsOfAuthor({
  userId,
  show,
  after,
  limit = PAGE_SIZE,
}: {
  userId: number;
  show: "written" | "edited";
  after?: number | null;
  limit?: number;
}) {
  const before = after ?? MAX_ID;
  const which =
    show === "written"
      ? Prisma.sql`"p"."ownerId" = ${userId} AND "p"."id" < ${before}`
      : Prisma.sql`"p"."editorId" = ${userId} AND "p"."id" < ${before} AND "p"."ownerId" <> ${userId}`;
  const rows = await reader().$queryRaw<OpeningRow[]>`SELECT ${SUMMARY_COLUMNS}, ${OPENING} FROM "Post" AS "p"
    WHERE ${which} ORDER BY "p"."id" DESC LIMIT ${limit + 1}`;
  const posts = rows.slice(0, limit).map(withOpening);
  const next = rows.length > limit ? posts[posts.length - 1].id : null;
  return { posts, next };
}

type DetailRow = SummaryRow & Pick<Post, "text" | "ownerId" | "imageAlt">;

export async function getPost(id: number): Promise<PostDetail | null> {
  const [row] = await reader().$queryRaw<DetailRow[]>`SELECT ${SUMMARY_COLUMNS}, "p"."text", "p"."ownerId", "p"."imageAlt"
    FROM "Post" AS "p" WHERE "p"."id" = ${id}`;
  if (!row) return null;
  const { text, ownerId, imageAlt, ...rest } = row;
  return { ...summary(rest), text, ownerId, imageAlt };
}

/** Whether a post with this id existed and was deleted (pages answer 410 rather than 404). */
export async function wasDeleted(id: number): Promise<boolean> {
  return (await reader().deletedPost.findUnique({ where: { id }, select: { id: true } })) !== null;
}

/** Stores the image unless an identical one is stored already (images are kept by content hash). */
async function storeImage(db: Transaction, image: ProcessedImage) {
  const { hash, contentType, width, height, data, thumbnail } = image;
  await db.image.upsert({ where: { hash }, create: { hash, contentType, width, height, data, thumbnail }, update: {} });
}

/** Deletes stored images that nothing refers to any more: no post, and no revision of one. */
async function deleteUnusedImages(db: Transaction, hashes: (string | null | undefined)[]) {
  const candidates = [...new Set(hashes.filter((hash): hash is string => Boolean(hash)))];
  if (candidates.length === 0) return;
  await db.image.deleteMany({ where: { hash: { in: candidates }, posts: { none: {} }, revisions: { none: {} } } });
}

// ---- revisions (docs/decisions/012-revisions.md) ---------------------------------------
// Every save keeps what it saved as a revision, inside the save's own transaction: there is
// no post version without its revision. How much changed is measured before the
// transaction (a diff is work the write lock need not wait for), against the state the
// save is then made conditional on.

/**
 * Keeps a save as a revision. `change` was measured against the state this save replaced.
 * Called inside the save's write(), after the post row is written. One INSERT, written out:
 * Prisma's `create` reads the whole row back (both texts) with RETURNING.
 */
async function recordRevision(
  db: Transaction,
  revision: { postId: number; version: number; editorId: number; createdAt: Date; state: PostState; change: ChangeSize; restoredFrom?: number },
) {
  const { postId, version, editorId, createdAt, state, change } = revision;
  await db.$executeRaw`INSERT INTO "PostRevision" ("postId", "version", "editorId", "createdAt", "charsAdded", "charsRemoved",
      "imageChanged", "restoredFrom", "imageHash", "imageAlt", "title", "text")
    VALUES (${postId}, ${version}, ${editorId}, ${createdAt}, ${change.charsAdded}, ${change.charsRemoved},
      ${change.imageChanged}, ${revision.restoredFrom ?? null}, ${state.imageHash}, ${state.imageAlt}, ${state.title}, ${state.text})`;
}

export async function createPost({
  input,
  ownerId,
  image,
  imageAlt = "",
}: {
  input: PostInput;
  ownerId: number;
  image?: ProcessedImage | null;
  imageAlt?: string;
}): Promise<PostDetail> {
  const now = new Date();
  const state: PostState = { ...input, imageHash: image?.hash ?? null, imageAlt: image ? imageAlt : "" };
  const id = await write(async (db) => {
    await bumpContentVersion(db);
    if (image) await storeImage(db, image);
    const created = await db.post.create({ data: { ...state, ownerId, editorId: ownerId, createdAt: now, updatedAt: now }, select: { id: true } });
    await recordRevision(db, { postId: created.id, version: 1, editorId: ownerId, createdAt: now, state, change: changeSize(null, state) });
    return created.id;
  });
  // Read back through getPost, the one definition of what a post looks like.
  const post = await getPost(id);
  if (!post) throw new Error(`Post ${id} vanished right after it was created`);
  return post;
}

export type UpdateResult =
  // The new version; callers that show the post read it (the edit form only redirects).
  | { status: "saved"; version: number }
  | { status: "conflict"; current: PostDetail }
  | { status: "missing" };

/**
 * What an edit does to the image: keep it (undefined), replace it with a new upload, put
 * back one that is stored already (a restore), or remove it.
 */
export type ImageChange = ProcessedImage | { storedHash: string } | "remove" | undefined;

const STATE_COLUMNS = { version: true, title: true, text: true, imageHash: true, imageAlt: true } as const;

/** Thrown inside a save's transaction when the post moved on since it was read: rolls it back. */
class PostMoved extends Error {}

/**
 * Saves an edit and credits it to `editorId`, keeping it as a new revision. With
 * `baseVersion`, the save only happens if nobody saved since that version was loaded: the
 * compare-and-set is a single UPDATE, so two concurrent saves can never both win.
 *
 * What changed (for the history list) is measured before the transaction, so that the
 * write lock never waits for a diff; the save is then conditional on the version it was
 * measured against. A save without a base version that loses that race measures again
 * inside the transaction, where nobody can overtake it.
 */
export async function updatePost({
  id,
  editorId,
  input,
  baseVersion,
  image,
  imageAlt,
  restoredFrom,
}: {
  id: number;
  editorId: number;
  input: Partial<PostInput>;
  baseVersion?: number | null;
  image?: ImageChange;
  imageAlt?: string;
  /** The version whose content this save puts back (a restore). */
  restoredFrom?: number;
}): Promise<UpdateResult> {
  const imageHashOf = (before: { imageHash: string | null }) =>
    image === undefined ? before.imageHash : image === "remove" ? null : "storedHash" in image ? image.storedHash : image.hash;
  const plan = (before: PostState & { version: number }) => {
    const imageHash = imageHashOf(before);
    const after: PostState = {
      title: input.title ?? before.title,
      text: input.text ?? before.text,
      imageHash,
      imageAlt: imageAlt !== undefined || image !== undefined ? (imageHash ? (imageAlt ?? "") : "") : before.imageAlt,
    };
    return { before, after, change: changeSize(before, after) };
  };

  const found = await reader().post.findUnique({ where: { id }, select: STATE_COLUMNS });
  if (!found) return { status: "missing" };
  if (baseVersion != null && found.version !== baseVersion) return conflict(id);
  const measured = plan(found);

  const save = (measuredInside: boolean) =>
    write(async (db) => {
      // First: on PostgreSQL this row lock puts concurrent saves in line.
      await bumpContentVersion(db);
      let current = measured;
      if (measuredInside) {
        const before = await db.post.findUnique({ where: { id }, select: STATE_COLUMNS });
        if (!before) return null;
        current = plan(before);
      }
      const { before, after, change } = current;
      if (image && image !== "remove" && !("storedHash" in image)) await storeImage(db, image);
      const now = new Date();
      // The compare-and-set: the change was measured against this version.
      const { count } = await db.post.updateMany({
        where: { id, version: before.version },
        data: { ...after, editorId, version: before.version + 1, updatedAt: now },
      });
      if (count !== 1) throw new PostMoved();
      await recordRevision(db, { postId: id, version: before.version + 1, editorId, createdAt: now, state: after, change, restoredFrom });
      if (before.imageHash !== after.imageHash) await deleteUnusedImages(db, [before.imageHash]);
      return before.version + 1;
    });

  let saved: number | null;
  try {
    saved = await save(false);
  } catch (error) {
    if (!(error instanceof PostMoved)) throw error;
    // Someone saved since the post was read; nothing was written.
    if (baseVersion != null) return conflict(id);
    saved = await save(true);
  }
  return saved === null ? { status: "missing" } : { status: "saved", version: saved };
}

async function conflict(id: number): Promise<UpdateResult> {
  const current = await getPost(id);
  return current ? { status: "conflict", current } : { status: "missing" };
}

export type DeleteResult = "deleted" | "missing" | "forbidden" | "moved";

/**
 * Deletes the post if `userId` owns it (and, with `version`, it is still at that version:
 * "moved" otherwise); the checks are part of the query itself.
 */
export async function deletePost({ id, userId, version }: { id: number; userId: number; version?: number }): Promise<DeleteResult> {
  return write(async (db) => {
    await bumpContentVersion(db);
    // The images of the post and of its history, which goes with it (ON DELETE CASCADE).
    // With `version`, a conditional delete (If-Match): only while the post is still at that version.
    const where = { id, ownerId: userId, ...(version !== undefined ? { version } : {}) };
    const owned = await db.post.findUnique({
      where,
      select: { imageHash: true, revisions: { where: { imageHash: { not: null } }, select: { imageHash: true } } },
    });
    const { count } = await db.post.deleteMany({ where });
    if (owned && count === 1) {
      await deleteUnusedImages(db, [owned.imageHash, ...owned.revisions.map((revision) => revision.imageHash)]);
      // Remembered, so that its address answers "deleted" (410) rather than "never existed".
      await db.deletedPost.upsert({ where: { id }, create: { id, deletedAt: new Date() }, update: {} });
      return "deleted";
    }
    const exists = await db.post.findUnique({ where: { id }, select: { ownerId: true } });
    return !exists ? "missing" : exists.ownerId !== userId ? "forbidden" : "moved";
  });
}

export type ImageSize = "full" | "thumbnail";

/** The image's version alone (null: the post has no image; undefined: no such post). */
export async function getImageHash(postId: number): Promise<string | null | undefined> {
  const [post] = await reader().$queryRaw<Pick<Post, "imageHash">[]>`SELECT "imageHash" FROM "Post" WHERE "id" = ${postId}`;
  return post ? post.imageHash : undefined;
}

export type ImageBytes = { contentType: string; bytes: Buffer };

// Raw: Prisma's findUnique costs ten times the read of a 100 KB BLOB (docs/decisions/013).
const IMAGE_BYTES = {
  full: Prisma.sql`SELECT "contentType", "data" AS "bytes" FROM "Image" WHERE "hash" = `,
  thumbnail: Prisma.sql`SELECT "contentType", "thumbnail" AS "bytes" FROM "Image" WHERE "hash" = `,
};

/** The stored bytes of one size of an image, by its hash; only these queries ever read image data. */
export async function getImageBytes(hash: string, size: ImageSize): Promise<ImageBytes | null> {
  const [row] = await reader().$queryRaw<(Pick<Image, "contentType"> & { bytes: Image["data"] })[]>`${IMAGE_BYTES[size]}${hash}`;
  // A Buffer over the same memory, as the server sends it.
  return row ? { contentType: row.contentType, bytes: Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength) } : null;
}

// ---- feeds and sitemaps ---------------------------------------------------------------

/** The highest post id (0 without posts): one step to the end of the primary key. */
export async function lastPostId(): Promise<number> {
  // ORDER BY id DESC LIMIT 1 (Prisma's aggregate wraps MAX() around a subquery of every id).
  const last = await reader().post.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  return last?.id ?? 0;
}

/** Ids and last changes of the posts with `from < id <= to`, in id order: a sitemap's worth. */
export async function listPostDates({ from, to }: { from: number; to: number }) {
  return reader().post.findMany({ where: { id: { gt: from, lte: to } }, orderBy: { id: "asc" }, select: { id: true, updatedAt: true } });
}
