import { sql } from "kysely";
import type { ProcessedImage } from "~/utils/image.server";
import { MAX_ID, bumpContentVersion, hotQuery, timestamp, toDate, write, type Database } from "~/utils/db.server";
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
  /** Null once the account of whoever saved last has been deleted. */
  editor: { username: string } | null;
};
export type PostDetail = PostSummary & { text: string; version: number; ownerId: number; imageAlt: string };

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

const postQuery = hotQuery((db, id: number) =>
  summaryQuery(db).select(["p.text", "p.version", "p.ownerId", "p.imageAlt"]).where("p.id", "=", id),
);

export async function getPost(id: number): Promise<PostDetail | null> {
  const [row] = await postQuery(id);
  if (!row) return null;
  const { text, version, ownerId, imageAlt, ...rest } = row;
  return { ...summary(rest), text, version, ownerId, imageAlt };
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
