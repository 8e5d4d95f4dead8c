import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { createPost, deletePost, getImageBytes, getImageHash, getPost, listPosts, listPostsOfAuthor, listPostsWithOpenings, updatePost, wasDeleted } from "~/models/post.server";
import { getHistoryPost, getRevision, listRevisions } from "~/models/revision.server";
import { createUser, getUserByUsername, type SessionUser } from "~/models/user.server";
import { processImage } from "~/utils/image.server";
import { createUserSession, getUser } from "~/utils/session.server";
import { beginAttempt, throttleKey } from "~/models/throttle.server";
import { databaseFile } from "../../prisma/database-url.js";
import { onPostgres } from "../support/database";
import { pngImage } from "../support/images";

// Query shapes, not timings: which statements the busy read paths run, and how SQLite
// plans them. A regression here (a full scan with a sort behind a page of posts, image bytes
// read to answer a 304, a query per post) costs nothing on a test database and a lot on
// a real one, so it is caught by the plan (docs/decisions/005-performance.md).

type Executed = { sql: string; params: unknown[] };
const executed: Executed[] = [];

/** Records every statement run on any better-sqlite3 connection in this process (both of Kysely's). */
function recordStatements() {
  const probe = new Database(":memory:");
  type Method = (this: Database.Statement, ...args: unknown[]) => unknown;
  const prototype = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, Method>;
  probe.close();
  const bound = new WeakMap<object, unknown[]>();
  const bind = prototype.bind;
  prototype.bind = function (...args) {
    bound.set(this, args);
    return bind.apply(this, args);
  };
  for (const name of ["run", "get", "all", "iterate"]) {
    const original = prototype[name];
    prototype[name] = function (...args) {
      // Kysely passes the parameters as one array.
      const params = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
      executed.push({ sql: this.source, params: params.length > 0 ? params : (bound.get(this) ?? []) });
      return original.apply(this, args);
    };
  }
}

async function statementsOf(work: () => unknown) {
  executed.length = 0;
  await work();
  return executed.splice(0);
}

let explainer: Database.Database | undefined;
/** SQLite's plan for a statement as it was run, one line per step. */
function plan({ sql, params }: Executed): string[] {
  explainer ??= new Database(databaseFile(), { readonly: true });
  const rows = explainer.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(...params);
  return rows.map((row) => row.detail);
}

const FULL_SCAN_OR_SORT = /^SCAN |TEMP B-TREE/;
const BY_PRIMARY_KEY = /^SEARCH \S+ USING INTEGER PRIMARY KEY \(rowid[<=]\?\)$/;
const IMAGE_DATA = /"Image"|"?data"?\b|thumbnail/i;
const BY_HASH = /^SEARCH (main\.)?Image USING INDEX sqlite_autoindex_Image_1 \(hash=\?\)$/;

// How SQLite plans them; PostgreSQL plans by its statistics, which a test database does not have.
describe.skipIf(onPostgres)("query plans on SQLite", () => {
  let owner: SessionUser;
  let other: SessionUser;
  let postId: number;
  let imageHash: string;
  /** A post with 1,000 revisions. */
  let historyPostId: number;

  beforeAll(async () => {
    recordStatements();
    const made = await Promise.all(["plans", "other"].map((username) => createUser({ username, password: "correct horse" })));
    if (made.includes("taken")) throw new Error("taken");
    const [first, second] = made as SessionUser[];
    owner = first;
    other = second;
    const image = await processImage(await pngImage(40, 30));
    postId = (await createPost({ input: { title: "With a picture", text: "Words" }, ownerId: owner.id, image })).id;
    imageHash = image.hash;

    // Enough rows that a careless plan would show: 3,000 posts by both users, in one statement.
    const db = new Database(databaseFile());
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
       INSERT INTO "Post" ("title", "text", "ownerId", "editorId", "createdAt", "updatedAt")
       SELECT 'Post ' || i, 'Text', ?, ?, '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00' FROM n`,
    ).run(first.id, second.id);
    // A post edited 1,000 times, and one revision for each of the 3,000 posts (as the migration makes).
    historyPostId = (await createPost({ input: { title: "Much edited", text: "Version 1" }, ownerId: owner.id })).id;
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
       INSERT INTO "PostRevision" ("postId", "version", "editorId", "createdAt", "charsAdded", "charsRemoved", "imageChanged", "title", "text")
       SELECT ?, i, ?, '2026-01-01T00:00:00.000Z', 10, 2, 0, 'Much edited', 'Version ' || i FROM n`,
    ).run(historyPostId, second.id);
    db.prepare(`UPDATE "Post" SET "version" = 1000 WHERE "id" = ?`).run(historyPostId);
    db.prepare(
      `INSERT INTO "PostRevision" ("postId", "version", "editorId", "createdAt", "charsAdded", "charsRemoved", "imageChanged", "title", "text")
       SELECT "id", 1, "editorId", "updatedAt", 10, 0, 0, "title", "text" FROM "Post" WHERE "id" NOT IN (SELECT "postId" FROM "PostRevision")`,
    ).run();
    db.close();
  });

  function expectPageOfPosts(statements: Executed[]) {
    // One statement for the whole page: names come with the posts, not one query per post.
    expect(statements).toHaveLength(1);
    const [list] = statements;
    expect(list.sql).not.toMatch(IMAGE_DATA);
    expect(list.sql).not.toMatch(/"text"/);
    expect(list.sql).not.toMatch(/PostRevision/);
    const steps = plan(list);
    // Posts by a range on the primary key, already in order, never scanned and sorted.
    expect(steps).toContainEqual(expect.stringMatching(/^SEARCH p USING INTEGER PRIMARY KEY \(rowid<\?\)$/));
    expect(steps.filter((step) => FULL_SCAN_OR_SORT.test(step))).toEqual([]);
    // Owner and editor names: one primary-key lookup each.
    expect(steps.filter((step) => /^SEARCH u /.test(step))).toEqual([
      expect.stringMatching(BY_PRIMARY_KEY),
      expect.stringMatching(BY_PRIMARY_KEY),
    ]);
  }

  function expectPostPage(statements: Executed[]) {
    expect(statements).toHaveLength(1);
    expect(statements[0].sql).not.toMatch(IMAGE_DATA);
    expect(statements[0].sql).not.toMatch(/PostRevision/);
    const steps = plan(statements[0]);
    expect(steps.filter((step) => step.startsWith("SEARCH"))).toEqual(Array(3).fill(expect.stringMatching(BY_PRIMARY_KEY)));
    expect(steps.filter((step) => FULL_SCAN_OR_SORT.test(step))).toEqual([]);
  }

  function expectImageLookups(hash: Executed[], thumbnail: Executed[]) {
    // The version (for ETags and 304s) comes from Post alone: no image bytes read.
    expect(hash).toHaveLength(1);
    expect(hash[0].sql).not.toMatch(IMAGE_DATA);
    expect(plan(hash[0])).toEqual([expect.stringMatching(BY_PRIMARY_KEY)]);
    // The bytes of the one size asked for, by the image's hash.
    expect(thumbnail).toHaveLength(1);
    expect(thumbnail[0].sql).toMatch(/"thumbnail"/);
    expect(thumbnail[0].sql).not.toMatch(/"data"/);
    expect(plan(thumbnail[0])).toEqual([expect.stringMatching(BY_HASH)]);
  }

  /** An author's lists: a range on the owner's or editor's index, never the whole table read backwards. */
  async function expectAuthorPlans(writer = owner.id, editor = other.id) {
    for (const show of ["written", "edited"] as const) {
      for (const after of [undefined, 2000]) {
        const statements = await statementsOf(() => listPostsOfAuthor({ userId: show === "written" ? writer : editor, show, after }));
        expect(statements).toHaveLength(1);
        const steps = plan(statements[0]);
        const index = show === "written" ? "Post_ownerId_idx \\(ownerId=\\? AND rowid<\\?\\)" : "Post_editorId_idx \\(editorId=\\? AND rowid<\\?\\)";
        expect(steps, `${show} ${after}`).toContainEqual(expect.stringMatching(new RegExp(`^SEARCH p USING INDEX ${index}$`)));
        expect(steps.filter((step) => FULL_SCAN_OR_SORT.test(step)), `${show} ${after}`).toEqual([]);
      }
    }
  }

  describe("the front page, authors' pages and deleted posts", () => {
    it("read the front page's list as the same range, with only the opening of each text", async () => {
      for (const after of [undefined, 1500]) {
        const statements = await statementsOf(() => listPostsWithOpenings({ after }));
        expect(statements).toHaveLength(1);
        const [list] = statements;
        expect(list.sql).not.toMatch(IMAGE_DATA);
        // The text only through substr(): never a whole 100,000-character post.
        expect(list.sql.match(/"text"/g)).toHaveLength(1);
        expect(list.sql).toMatch(/substr\("p"\."text", 1, 600\)/);
        const steps = plan(list);
        expect(steps).toContainEqual(expect.stringMatching(/^SEARCH p USING INTEGER PRIMARY KEY \(rowid<\?\)$/));
        expect(steps.filter((step) => FULL_SCAN_OR_SORT.test(step))).toEqual([]);
      }
    });

    it("page through an author's posts and their last edits on the foreign-key indexes, already in order", async () => {
      await expectAuthorPlans();
      const { posts, next } = await listPostsOfAuthor({ userId: other.id, show: "edited" });
      expect(posts).toHaveLength(20);
      expect(posts.every((post) => post.editor?.username === "other" && post.owner.username === "plans")).toBe(true);
      expect(next).toBe(posts[19].id);
    });

    it("find an author by name (any case) and a deleted post by id, each with one index lookup", async () => {
      const byName = await statementsOf(() => getUserByUsername("PLANS"));
      expect(byName).toHaveLength(1);
      expect(plan(byName[0])).toEqual([expect.stringMatching(/^SEARCH (main\.)?User USING INDEX User_usernameKey_key \(usernameKey=\?\)$/)]);
      const deleted = await statementsOf(() => wasDeleted(postId));
      expect(deleted).toHaveLength(1);
      expect(plan(deleted[0])).toEqual([expect.stringMatching(/^SEARCH (main\.)?DeletedPost USING INTEGER PRIMARY KEY \(rowid=\?\)$/)]);
    });
  });

  describe("the busy read paths", () => {
    it("read a page of posts, first or later, as one primary-key range without text or images", async () => {
      expectPageOfPosts(await statementsOf(() => listPosts({})));
      const { next } = await listPosts({});
      expect(next).not.toBeNull();
      expectPageOfPosts(await statementsOf(() => listPosts({ after: next })));
      expectPageOfPosts(await statementsOf(() => listPosts({ after: 1500, limit: 200 })));
    });

    it("read a post page as one primary-key lookup", async () => {
      expectPostPage(await statementsOf(() => getPost(postId)));
    });

    it("answer an image's version without its bytes, and read only the size asked for", async () => {
      expectImageLookups(
        await statementsOf(() => getImageHash(postId)),
        await statementsOf(() => getImageBytes(imageHash, "thumbnail")),
      );
    });

    it("keep those plans once SQLite has statistics (ANALYZE)", async () => {
      const db = new Database(databaseFile());
      db.exec("ANALYZE");
      db.close();
      explainer?.close();
      explainer = undefined;
      expectPageOfPosts(await statementsOf(() => listPosts({ after: 2000 })));
      expectPostPage(await statementsOf(() => getPost(postId)));
      expectImageLookups(
        await statementsOf(() => getImageHash(postId)),
        await statementsOf(() => getImageBytes(imageHash, "thumbnail")),
      );
      expectHistoryPage(await statementsOf(() => Promise.all([getHistoryPost(historyPostId), listRevisions(historyPostId, { before: 600 })])));
    });
  });

  const BY_REVISION_KEY = (range: string) =>
    new RegExp(`^SEARCH r USING (PRIMARY KEY|INDEX sqlite_autoindex_PostRevision_1) \\(postId=\\? AND version${range}\\?\\)$`);

  function expectHistoryPage(statements: Executed[]) {
    // The post's title and version, and a page of revisions with their editors: never any text.
    expect(statements).toHaveLength(2);
    for (const statement of statements) {
      expect(statement.sql).not.toMatch(/"text"/);
      expect(statement.sql).not.toMatch(IMAGE_DATA);
      expect(plan(statement).filter((step) => FULL_SCAN_OR_SORT.test(step))).toEqual([]);
    }
    const page = statements.find((statement) => /PostRevision/.test(statement.sql))!;
    const steps = plan(page);
    // A range of the (postId, version) key, already newest first; names by primary key.
    expect(steps).toContainEqual(expect.stringMatching(BY_REVISION_KEY("<")));
    expect(steps.filter((step) => /^SEARCH u /.test(step))).toEqual([expect.stringMatching(BY_PRIMARY_KEY)]);
  }

  describe("revision history", () => {
    it("reads a page of history, first or later, by the (postId, version) key without any text", async () => {
      const history = () => Promise.all([getHistoryPost(historyPostId), listRevisions(historyPostId, {})]);
      expectHistoryPage(await statementsOf(history));
      const [, first] = await history();
      expect(first.revisions.map((revision) => revision.version)).toEqual(Array.from({ length: 20 }, (_, n) => 1000 - n));
      expectHistoryPage(await statementsOf(() => Promise.all([getHistoryPost(historyPostId), listRevisions(historyPostId, { before: 37 })])));
    });

    it("reads one revision, with its text, by its key", async () => {
      const statements = await statementsOf(() => getRevision(historyPostId, 500));
      expect(statements).toHaveLength(1);
      expect(plan(statements[0])).toContainEqual(expect.stringMatching(BY_REVISION_KEY("=")));
      expect(plan(statements[0]).filter((step) => FULL_SCAN_OR_SORT.test(step))).toEqual([]);
    });

    it("saves and deletes without scanning the history", async () => {
      const image = await processImage(await pngImage(12, 12, "#777777"));
      const post = await createPost({ input: { title: "Brief", text: "Short-lived" }, ownerId: owner.id, image });
      const statements = await statementsOf(async () => {
        await updatePost({ id: post.id, editorId: owner.id, input: { text: "Shorter" }, image: "remove" });
        await deletePost({ id: post.id, userId: owner.id });
      });
      expect(statements.filter((statement) => /insert into "PostRevision"/i.test(statement.sql))).toHaveLength(1);
      const touching = statements.filter((statement) => /PostRevision/.test(statement.sql) && !/^insert/i.test(statement.sql));
      expect(touching.length).toBeGreaterThanOrEqual(2);
      for (const statement of touching) {
        expect(plan(statement).filter((step) => /SCAN (main\.)?"?PostRevision|^SCAN r\b/.test(step)), statement.sql).toEqual([]);
      }
    });
  });

  describe("with statistics from a blog of many authors (ANALYZE)", () => {
    it("keeps authors' lists on their indexes", async () => {
      // 200 more writers with 15 posts each: one author's posts are now a small part of the table.
      const db = new Database(databaseFile());
      db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
        INSERT INTO "User" ("username", "usernameKey", "passwordHash", "createdAt", "updatedAt")
        SELECT 'writer' || i, 'writer' || i, 'x', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n`);
      db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
        INSERT INTO "Post" ("title", "text", "ownerId", "editorId", "createdAt", "updatedAt")
        SELECT 'Many ' || i, 'Text', u.id, u.id, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
        FROM n JOIN "User" u ON u.usernameKey = 'writer' || (1 + i % 200)`);
      db.exec("ANALYZE");
      const writer = (db.prepare(`SELECT id FROM "User" WHERE usernameKey = 'writer7'`).get() as { id: number }).id;
      db.close();
      explainer?.close();
      explainer = undefined;
      await expectAuthorPlans(writer, writer);
    });
  });

  describe("who is asking", () => {
    it("costs an anonymous request no query at all, and a signed-in one a primary-key lookup", async () => {
      expect(await statementsOf(() => getUser(new Request("http://quill.test/")))).toEqual([]);

      const cookie = ((await createUserSession(owner, null)).headers.get("Set-Cookie") ?? "").split(";")[0];
      const signedIn = await statementsOf(() => getUser(new Request("http://quill.test/", { headers: { Cookie: cookie } })));
      expect(signedIn).toHaveLength(1);
      expect(plan(signedIn[0])).toEqual([expect.stringMatching(/^SEARCH (main\.)?User USING INTEGER PRIMARY KEY \(rowid=\?\)$/)]);
    });
  });

  describe("rate limits", () => {
    it("reserves a place in the throttle with writes by key only, for the username and the address", async () => {
      const keys = [throttleKey("login", "user", owner.username), throttleKey("login", "address", "192.0.2.1")];
      const statements = await statementsOf(async () => {
        const attempt = await beginAttempt("login", keys);
        if (attempt.allowed) await attempt.abandoned();
      });
      const touching = statements.filter((statement) => /"Throttle"/.test(statement.sql));
      expect(touching.length).toBeGreaterThanOrEqual(3);
      for (const statement of touching.filter((each) => /^update/i.test(each.sql))) {
        expect(plan(statement), statement.sql).toEqual([expect.stringMatching(/^SEARCH (main\.)?Throttle USING INDEX sqlite_autoindex_Throttle_1 \(key[= ]/)]);
      }
      // Old rows are purged through the window's index, never by reading the whole table.
      for (const statement of touching.filter((each) => /^delete/i.test(each.sql))) {
        expect(plan(statement), statement.sql).toEqual([expect.stringMatching(/^SEARCH (main\.)?Throttle USING INDEX Throttle_windowStart_idx/)]);
      }
    });
  });
});
