import { updatePost, type UpdateResult } from "~/models/post.server";
import { MAX_ID, Prisma, reader, type PostRevision, type User } from "~/utils/db.server";
import { wordDiff, type WordDiff } from "~/utils/word-diff.server";

// A post's history: every save is kept as a revision (written by the saves themselves, in
// post.server.ts), listed newest first, shown as it was, compared word by word, and
// restored (docs/decisions/012-revisions.md).

export const HISTORY_PAGE_SIZE = 20;

/** A history entry: what the list shows. Never the text. */
export type RevisionSummary = Pick<PostRevision, "version" | "createdAt" | "charsAdded" | "charsRemoved" | "imageChanged" | "restoredFrom"> & {
  /** Null once the account of whoever saved it has been deleted. */
  editor: Pick<User, "username"> | null;
};

export type Revision = RevisionSummary & Pick<PostRevision, "postId" | "title" | "text" | "imageHash" | "imageAlt">;

// History pages and revisions are read as typed raw SQL, one statement each with the
// editor's name from a primary-key subquery (as post lists are; test/unit/query-plan.test.ts).
const SUMMARY_COLUMNS = Prisma.sql`"r"."version", "r"."createdAt", "r"."charsAdded", "r"."charsRemoved", "r"."imageChanged", "r"."restoredFrom",
  (SELECT "u"."username" FROM "User" AS "u" WHERE "u"."id" = "r"."editorId") AS "editorName"`;

type SummaryRow = Omit<RevisionSummary, "editor" | "imageChanged"> & {
  editorName: User["username"] | null;
  /** SQLite answers 0 or 1 to raw SQL, PostgreSQL a boolean. */
  imageChanged: boolean | number;
};

function summary({ editorName, imageChanged, ...row }: SummaryRow): RevisionSummary {
  return { ...row, editor: editorName === null ? null : { username: editorName }, imageChanged: Boolean(imageChanged) };
}

/** The post a history belongs to: its title and current version, without its text. */
export async function getHistoryPost(postId: number) {
  return reader().post.findUnique({ where: { id: postId }, select: { id: true, title: true, version: true } });
}

/** A page of history is a range on the primary key (postId, version), newest first, as cheap for the thousandth revision as for the first. */
function historyPage(postId: number, before: number, limit: number) {
  return reader().$queryRaw<SummaryRow[]>`SELECT ${SUMMARY_COLUMNS} FROM "PostRevision" AS "r"
    WHERE "r"."postId" = ${postId} AND "r"."version" < ${before} ORDER BY "r"."version" DESC LIMIT ${limit}`;
}

/**
 * One page of a post's history, newest first. `before` is the version of the last entry of
 * the page before (the cursor). Each entry comes with the version it is compared against
 * ("changes"): the next older revision, found here even for the last entry of the page.
 */
export async function listRevisions(postId: number, { before, limit = HISTORY_PAGE_SIZE }: { before?: number | null; limit?: number }) {
  // One more than the page: it says whether there is an older page, and what the last
  // entry of this one is compared against.
  const rows = await historyPage(postId, before ?? MAX_ID, limit + 1);
  const summaries = rows.map(summary);
  const revisions = summaries.slice(0, limit).map((revision, index) => ({
    ...revision,
    previousVersion: summaries[index + 1]?.version ?? null,
  }));
  const next = rows.length > limit ? revisions[revisions.length - 1].version : null;
  return { revisions, next };
}

export type RevisionEntry = Awaited<ReturnType<typeof listRevisions>>["revisions"][number];

type RevisionRow = SummaryRow & Pick<PostRevision, "postId" | "title" | "text" | "imageHash" | "imageAlt">;

/** One revision, with its text; null when the post has no such version. */
export async function getRevision(postId: number, version: number): Promise<Revision | null> {
  const [row] = await reader().$queryRaw<RevisionRow[]>`SELECT ${SUMMARY_COLUMNS}, "r"."postId", "r"."title", "r"."text", "r"."imageHash", "r"."imageAlt"
    FROM "PostRevision" AS "r" WHERE "r"."postId" = ${postId} AND "r"."version" = ${version}`;
  if (!row) return null;
  const { postId: id, title, text, imageHash, imageAlt, ...rest } = row;
  return { ...summary(rest), postId: id, title, text, imageHash, imageAlt };
}

/** The hash of the image a revision showed (null: none; undefined: no such revision). */
export async function getRevisionImageHash(postId: number, version: number): Promise<string | null | undefined> {
  const row = await reader().postRevision.findUnique({ where: { postId_version: { postId, version } }, select: { imageHash: true } });
  return row ? row.imageHash : undefined;
}

/** The version saved just before `version` (null for the oldest kept). */
export async function previousVersion(postId: number, version: number): Promise<number | null> {
  const [row] = await historyPage(postId, version, 1);
  return row?.version ?? null;
}

export type Comparison = {
  from: Revision;
  to: Revision;
  title: WordDiff;
  text: WordDiff;
};

/** Two revisions of a post and their word-level differences; null if either is missing. */
export async function compareRevisions(postId: number, fromVersion: number, toVersion: number): Promise<Comparison | null> {
  const [from, to] = await Promise.all([getRevision(postId, fromVersion), getRevision(postId, toVersion)]);
  if (!from || !to) return null;
  return { from, to, title: wordDiff(from.title, to.title), text: wordDiff(from.text, to.text) };
}

/**
 * For an edit refused because someone saved first: what changed between the version the
 * editor began from and the post as it is now (null when that version is not kept).
 */
export async function changesSince(postId: number, baseVersion: number | null, current: { version: number; title: string; text: string }) {
  if (baseVersion === null) return null;
  const base = await getRevision(postId, baseVersion);
  if (!base) return null;
  return { fromVersion: base.version, toVersion: current.version, title: wordDiff(base.title, current.title), text: wordDiff(base.text, current.text) };
}

export type ConflictChanges = NonNullable<Awaited<ReturnType<typeof changesSince>>>;

export type RestoreResult = UpdateResult | { status: "no-revision" };

/**
 * Puts a revision's title, text and image back, as a new save credited to `editorId` (so a
 * new revision, marked as restoring `version`). With `baseVersion`, it is refused like any
 * edit if someone saved since that version.
 */
export async function restoreRevision({
  postId,
  version,
  editorId,
  baseVersion,
}: {
  postId: number;
  version: number;
  editorId: number;
  baseVersion?: number | null;
}): Promise<RestoreResult> {
  const revision = await getRevision(postId, version);
  if (!revision) return (await getHistoryPost(postId)) ? { status: "no-revision" } : { status: "missing" };
  return updatePost({
    id: postId,
    editorId,
    input: { title: revision.title, text: revision.text },
    baseVersion,
    // The image is still stored: a revision that uses it keeps it (deleteUnusedImages).
    image: revision.imageHash ? { storedHash: revision.imageHash } : "remove",
    imageAlt: revision.imageAlt,
    restoredFrom: version,
  });
}
