import { sql } from "kysely";
import type { ProcessedImage } from "~/utils/image.server";
import { MAX_ID, bumpContentVersion, hotQuery, reader, timestamp, toDate, write, type Database } from "~/utils/db.server";

export const PAGE_SIZE = 20;

export type PostInput = { title: string; text: string };

export type PostSummary = {
  id: number;
  title: string;
  /** Bumped by every save: with the id, it names one state of the post (for caches). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  imageHash: string | null;
  owner: { username: string };
  /** Null once the account of whoever saved last has been deleted. */
  editor: { username: string } | null;
};
export type PostDetail = PostSummary & { text: string; ownerId: number; imageAlt: string };

// Lists and post pages are the app's busiest reads: one statement each, names from
// subqueries on the primary key, so the plan cannot change with the data (Post is read in
// id order, never sorted). test/unit/query-plan.test.ts holds them to that. Lists never
// select `text`, and nothing here reads image bytes.
function summaryQuery(db: Database) {
  return db
    .selectFrom("Post as p")
    .select((eb) => [
      "p.id",
      "p.title",
      "p.version",
      "p.createdAt",
      "p.updatedAt",
      "p.imageHash",
      eb.selectFrom("User as u").select("u.username").whereRef("u.id", "=", "p.ownerId").as("ownerName"),
      eb.selectFrom("User as u").select("u.username").whereRef("u.id", "=", "p.editorId").as("editorName"),
    ]);
}

type SummaryRow = {
  id: number;
  title: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  imageHash: string | null;
  ownerName: string | null;
  editorName: string | null;
};

function summary({ ownerName, editorName, createdAt, updatedAt, ...row }: SummaryRow): PostSummary {
  return {
    ...row,
    createdAt: toDate(createdAt),
    updatedAt: toDate(updatedAt),
    owner: { username: ownerName ?? "" },
    editor: editorName === null ? null : { username: editorName },
  };
}

/**
 * One page of posts, newest first. The cursor is the id of the last post shown: each
 * page is an index range scan on the primary key, as cheap at post 100,000 as at post 20.
 */
const listQuery = hotQuery((db, after: number, limit: number) =>
  summaryQuery(db).where("p.id", "<", after).orderBy("p.id", "desc").limit(limit),
);

export async function listPosts({ after, limit = PAGE_SIZE }: { after?: number | null; limit?: number }) {
  const rows = await listQuery(after ?? MAX_ID, limit + 1);
  const posts = rows.slice(0, limit).map(summary);
  const next = rows.length > limit ? posts[posts.length - 1].id : null;
  return { posts, next };
}

/** How much of each post's text the front page reads, for its excerpt. */
const OPENING_LENGTH = 600;

// The front page's list: the same range scan, with the opening of each text for excerpts
// (never the whole of a 100,000-character post).
const listWithOpeningQuery = hotQuery((db, after: number, limit: number) =>
  summaryQuery(db)
    .select(sql<string>`substr(${sql.ref("p.text")}, 1, ${sql.lit(OPENING_LENGTH)})`.as("opening"))
    .where("p.id", "<", after)
    .orderBy("p.id", "desc")
    .limit(limit),
);

export type PostWithOpening = PostSummary & { opening: string };

/** listPosts, with the first 600 characters of each post's text (for excerpts). */
export async function listPostsWithOpenings({ after, limit = PAGE_SIZE }: { after?: number | null; limit?: number }) {
  const rows = await listWithOpeningQuery(after ?? MAX_ID, limit + 1);
  const posts: PostWithOpening[] = rows.slice(0, limit).map(({ opening, ...row }) => ({ ...summary(row), opening }));
  const next = rows.length > limit ? posts[posts.length - 1].id : null;
  return { posts, next };
}

// An author's page: posts they wrote, and posts by others they saved last. Each is a range
// on its foreign-key index (which holds the post id too), so pages cost the same at any depth.
const byOwnerQuery = hotQuery((db, ownerId: number, after: number, limit: number) =>
  summaryQuery(db)
    .select(sql<string>`substr(${sql.ref("p.text")}, 1, ${sql.lit(OPENING_LENGTH)})`.as("opening"))
    .where("p.ownerId", "=", ownerId)
    .where("p.id", "<", after)
    .orderBy("p.id", "desc")
    .limit(limit),
);

const editedByQuery = hotQuery((db, editorId: number, after: number, ownerId: number, limit: number) =>
  summaryQuery(db)
    .select(sql<string>`substr(${sql.ref("p.text")}, 1, ${sql.lit(OPENING_LENGTH)})`.as("opening"))
    .where("p.editorId", "=", editorId)
    .where("p.id", "<", after)
    .where("p.ownerId", "<>", ownerId)
    .orderBy("p.id", "desc")
    .limit(limit),
);

/** A page of the posts `userId` wrote ("written") or last edited and did not write ("edited"), newest first. */
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
  const rows = show === "written" ? await byOwnerQuery(userId, before, limit + 1) : await editedByQuery(userId, before, userId, limit + 1);
  const posts: PostWithOpening[] = rows.slice(0, limit).map(({ opening, ...row }) => ({ ...summary(row), opening }));
  const next = rows.length > limit ? posts[posts.length - 1].id : null;
  return { posts, next };
}

const postQuery = hotQuery((db, id: number) =>
  summaryQuery(db).select(["p.text", "p.ownerId", "p.imageAlt"]).where("p.id", "=", id),
);

export async function getPost(id: number): Promise<PostDetail | null> {
  const [row] = await postQuery(id);
  if (!row) return null;
  const { text, ownerId, imageAlt, ...rest } = row;
  return { ...summary(rest), text, ownerId, imageAlt };
}

/** Whether a post with this id existed and was deleted (pages answer 410 rather than 404). */
export async function wasDeleted(id: number): Promise<boolean> {
  const row = await reader().selectFrom("DeletedPost").select("id").where("id", "=", id).executeTakeFirst();
  return row !== undefined;
}

/** Stores the image unless an identical one is stored already (images are kept by content hash). */
async function storeImage(db: Database, image: ProcessedImage) {
  await db
    .insertInto("Image")
    .values({
      hash: image.hash,
      contentType: image.contentType,
      width: image.width,
      height: image.height,
      data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
      thumbnail: Buffer.from(image.thumbnail.buffer, image.thumbnail.byteOffset, image.thumbnail.byteLength),
      createdAt: timestamp(),
    })
    .onConflict((conflict) => conflict.column("hash").doNothing())
    .execute();
}

/** Deletes stored images that nothing refers to any more. */
async function deleteUnusedImages(db: Database, hashes: (string | null | undefined)[]) {
  const candidates = [...new Set(hashes.filter((hash): hash is string => Boolean(hash)))];
  if (candidates.length === 0) return;
  await db
    .deleteFrom("Image")
    .where("hash", "in", candidates)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("Post").select(sql.lit(1).as("one")).whereRef("Post.imageHash", "=", "Image.hash"))),
    )
    .execute();
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
  const now = timestamp();
  const id = await write(async (db) => {
    await bumpContentVersion(db);
    if (image) await storeImage(db, image);
    const created = await db
      .insertInto("Post")
      .values({
        ...input,
        ownerId,
        editorId: ownerId,
        imageHash: image?.hash ?? null,
        imageAlt: image ? imageAlt : "",
        createdAt: now,
        updatedAt: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return created.id;
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

/** What an edit does to the image: keep it (undefined), replace it, or remove it. */
export type ImageChange = ProcessedImage | "remove" | undefined;

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
  imageAlt,
}: {
  id: number;
  editorId: number;
  input: Partial<PostInput>;
  baseVersion?: number | null;
  image?: ImageChange;
  imageAlt?: string;
}): Promise<UpdateResult> {
  const saved = await write(async (db) => {
    // First: on PostgreSQL this row lock puts concurrent saves in line, so `before` stays true.
    await bumpContentVersion(db);
    const before = await db.selectFrom("Post").select(["imageHash", "version"]).where("id", "=", id).executeTakeFirst();
    if (!before || (baseVersion != null && before.version !== baseVersion)) return false;
    if (image && image !== "remove") await storeImage(db, image);
    const imageHash = image === undefined ? before.imageHash : image === "remove" ? null : image.hash;
    const { numUpdatedRows } = await db
      .updateTable("Post")
      .set({
        ...input,
        editorId,
        version: before.version + 1,
        updatedAt: timestamp(),
        imageHash,
        ...(imageAlt !== undefined || image !== undefined ? { imageAlt: imageHash ? (imageAlt ?? "") : "" } : {}),
      })
      .where("id", "=", id)
      // Still a compare-and-set, for writers that do not bump the content version (Studio).
      .where("version", "=", before.version)
      .executeTakeFirst();
    if (numUpdatedRows !== 1n) return false;
    if (before.imageHash !== imageHash) await deleteUnusedImages(db, [before.imageHash]);
    return true;
  });
  const post = await getPost(id);
  if (!post) return { status: "missing" };
  return saved ? { status: "saved", post } : { status: "conflict", current: post };
}

export type DeleteResult = "deleted" | "missing" | "forbidden";

/** Deletes the post if `userId` owns it; the owner check is part of the query itself. */
export async function deletePost({ id, userId }: { id: number; userId: number }): Promise<DeleteResult> {
  return write(async (db) => {
    await bumpContentVersion(db);
    const deleted = await db
      .deleteFrom("Post")
      .where("id", "=", id)
      .where("ownerId", "=", userId)
      .returning("imageHash")
      .executeTakeFirst();
    if (deleted) {
      await deleteUnusedImages(db, [deleted.imageHash]);
      // Remembered, so that its address answers "deleted" (410) rather than "never existed".
      await db.insertInto("DeletedPost").values({ id, deletedAt: timestamp() }).onConflict((conflict) => conflict.column("id").doNothing()).execute();
      return "deleted";
    }
    const exists = await db.selectFrom("Post").select("id").where("id", "=", id).executeTakeFirst();
    return exists ? "forbidden" : "missing";
  });
}

export type ImageSize = "full" | "thumbnail";

const imageHashQuery = hotQuery((db, postId: number) => db.selectFrom("Post").select("imageHash").where("id", "=", postId));

/** The image's version alone (null: the post has no image; undefined: no such post). */
export async function getImageHash(postId: number): Promise<string | null | undefined> {
  const [post] = await imageHashQuery(postId);
  return post ? post.imageHash : undefined;
}

export type ImageBytes = { contentType: string; bytes: Buffer };

const imageBytesQueries = {
  full: hotQuery((db, hash: string) => db.selectFrom("Image").select(["contentType", "data as bytes"]).where("hash", "=", hash)),
  thumbnail: hotQuery((db, hash: string) => db.selectFrom("Image").select(["contentType", "thumbnail as bytes"]).where("hash", "=", hash)),
};

/** The stored bytes of one size of an image, by its hash; only these queries ever read image data. */
export async function getImageBytes(hash: string, size: ImageSize): Promise<ImageBytes | null> {
  const [row] = await imageBytesQueries[size](hash);
  return row ?? null;
}

// ---- feeds and sitemaps ---------------------------------------------------------------

/** The highest post id (0 without posts): one step to the end of the primary key. */
export async function lastPostId(): Promise<number> {
  const row = await reader().selectFrom("Post").select((eb) => eb.fn.max("id").as("last")).executeTakeFirst();
  return Number(row?.last ?? 0);
}

/** Ids and last changes of the posts with `from < id <= to`, in id order: a sitemap's worth. */
export async function listPostDates({ from, to }: { from: number; to: number }) {
  const rows = await reader()
    .selectFrom("Post")
    .select(["id", "updatedAt"])
    .where("id", ">", from)
    .where("id", "<=", to)
    .orderBy("id")
    .execute();
  return rows.map((row) => ({ id: row.id, updatedAt: toDate(row.updatedAt) }));
}
