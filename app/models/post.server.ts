import { sql } from "kysely";
import type { ProcessedImage } from "~/utils/image.server";
import { MAX_ID, bumpContentVersion, hotQuery, hotStatement, reader, timestamp, toDate, write, type Database } from "~/utils/db.server";
import { changeSize, type ChangeSize, type PostState } from "~/utils/word-diff.server";

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

/** Deletes stored images that nothing refers to any more: no post, and no revision of one. */
async function deleteUnusedImages(db: Database, hashes: (string | null | undefined)[]) {
  const candidates = [...new Set(hashes.filter((hash): hash is string => Boolean(hash)))];
  if (candidates.length === 0) return;
  await db
    .deleteFrom("Image")
    .where("hash", "in", candidates)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("Post").select(sql.lit(1).as("one")).whereRef("Post.imageHash", "=", "Image.hash"))),
    )
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("PostRevision").select(sql.lit(1).as("one")).whereRef("PostRevision.imageHash", "=", "Image.hash"))),
    )
    .execute();
}

// ---- revisions (docs/decisions/012-revisions.md) ---------------------------------------
// Every save keeps what it saved as a revision, inside the save's own transaction: there is
// no post version without its revision. How much changed is measured before the
// transaction (a diff is work the write lock need not wait for), against the state the
// save is then made conditional on.

// Compiled once: building and compiling a 12-column insert cost Kysely more than SQLite
// takes to run it.
const insertRevision = hotStatement(
  (
    db,
    postId: number,
    version: number,
    editorId: number,
    createdAt: string,
    charsAdded: number,
    charsRemoved: number,
    imageChanged: number,
    restoredFrom: number | null,
    imageHash: string | null,
    imageAlt: string,
    title: string,
    text: string,
  ) =>
    db
      .insertInto("PostRevision")
      .values({ postId, version, editorId, createdAt, charsAdded, charsRemoved, imageChanged, restoredFrom, imageHash, imageAlt, title, text }),
);

/**
 * Keeps a save as a revision. `change` was measured against the state this save replaced.
 * Called inside the save's write(), after the post row is written.
 */
async function recordRevision(
  db: Database,
  revision: { postId: number; version: number; editorId: number; createdAt: string; state: PostState; change: ChangeSize; restoredFrom?: number },
) {
  const { state, change } = revision;
  await insertRevision(
    db,
    revision.postId,
    revision.version,
    revision.editorId,
    revision.createdAt,
    change.charsAdded,
    change.charsRemoved,
    // A number, which SQLite stores and PostgreSQL's boolean column accepts alike.
    change.imageChanged ? 1 : 0,
    revision.restoredFrom ?? null,
    state.imageHash,
    state.imageAlt,
    state.title,
    state.text,
  );
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
  const state: PostState = { ...input, imageHash: image?.hash ?? null, imageAlt: image ? imageAlt : "" };
  const id = await write(async (db) => {
    await bumpContentVersion(db);
    if (image) await storeImage(db, image);
    const created = await db
      .insertInto("Post")
      .values({ ...state, ownerId, editorId: ownerId, createdAt: now, updatedAt: now })
      .returning("id")
      .executeTakeFirstOrThrow();
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

const stateQuery = hotQuery((db, id: number) =>
  db.selectFrom("Post").select(["version", "title", "text", "imageHash", "imageAlt"]).where("id", "=", id),
);

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

  const [found] = await stateQuery(id);
  if (!found) return { status: "missing" };
  if (baseVersion != null && found.version !== baseVersion) return conflict(id);
  const measured = plan(found);

  const save = (measuredInside: boolean) =>
    write(async (db) => {
      // First: on PostgreSQL this row lock puts concurrent saves in line.
      await bumpContentVersion(db);
      let current = measured;
      if (measuredInside) {
        const before = await db.selectFrom("Post").select(["version", "title", "text", "imageHash", "imageAlt"]).where("id", "=", id).executeTakeFirst();
        if (!before) return null;
        current = plan(before);
      }
      const { before, after, change } = current;
      if (image && image !== "remove" && !("storedHash" in image)) await storeImage(db, image);
      const now = timestamp();
      const { numUpdatedRows } = await db
        .updateTable("Post")
        .set({ ...after, editorId, version: before.version + 1, updatedAt: now })
        .where("id", "=", id)
        // The compare-and-set: the change was measured against this version.
        .where("version", "=", before.version)
        .executeTakeFirst();
      if (numUpdatedRows !== 1n) throw new PostMoved();
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
    // The images of its history, which goes with it (ON DELETE CASCADE).
    const pastImages = await db
      .selectFrom("PostRevision")
      .select("imageHash")
      .where("postId", "=", id)
      .where("imageHash", "is not", null)
      .execute();
    const deleted = await db
      .deleteFrom("Post")
      .where("id", "=", id)
      .where("ownerId", "=", userId)
      // A conditional delete (If-Match): only while the post is still at that version.
      .$if(version !== undefined, (query) => query.where("version", "=", version!))
      .returning("imageHash")
      .executeTakeFirst();
    if (deleted) {
      await deleteUnusedImages(db, [deleted.imageHash, ...pastImages.map((row) => row.imageHash)]);
      // Remembered, so that its address answers "deleted" (410) rather than "never existed".
      await db.insertInto("DeletedPost").values({ id, deletedAt: timestamp() }).onConflict((conflict) => conflict.column("id").doNothing()).execute();
      return "deleted";
    }
    const exists = await db.selectFrom("Post").select("ownerId").where("id", "=", id).executeTakeFirst();
    return !exists ? "missing" : exists.ownerId !== userId ? "forbidden" : "moved";
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
