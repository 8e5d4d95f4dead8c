import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";

const migrationsDir = path.resolve(import.meta.dirname, "..", "..", "prisma", "migrations");
const migrations = fs
  .readdirSync(migrationsDir)
  .filter((name) => fs.existsSync(path.join(migrationsDir, name, "migration.sql")))
  .sort();

function apply(db: Database.Database, name: string) {
  db.exec(fs.readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8"));
}

describe("migrating a database that already has posts", () => {
  it("moves images to one row per content hash and keeps every post, editor and image", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "quill-migrate-")), "quill.db");
    const db = new Database(file);
    const imagesByHash = migrations.indexOf("20261129230000_images_by_hash_throttle_content_version");
    expect(imagesByHash).toBeGreaterThan(0);
    for (const name of migrations.slice(0, imagesByHash)) apply(db, name);

    // Data as the app wrote it before: two posts sharing one picture, one post with a hash but no bytes.
    const now = "2026-11-01T10:00:00.000Z";
    db.prepare(`INSERT INTO "User" ("id", "username", "usernameKey", "passwordHash", "updatedAt") VALUES (1, 'ann', 'ann', 'x', ?), (2, 'ben', 'ben', 'x', ?)`).run(now, now);
    const post = db.prepare(`INSERT INTO "Post" ("id", "title", "text", "ownerId", "editorId", "version", "imageHash", "createdAt", "updatedAt") VALUES (?, ?, '', 1, 2, 3, ?, ?, ?)`);
    post.run(1, "First", "hashA", now, now);
    post.run(2, "Second", "hashA", now, now);
    post.run(3, "Lost bytes", "hashB", now, now);
    post.run(4, "No picture", null, now, now);
    const image = db.prepare(`INSERT INTO "PostImage" ("postId", "contentType", "width", "height", "data", "thumbnail") VALUES (?, 'image/webp', 10, 10, ?, ?)`);
    image.run(1, Buffer.from("full A"), Buffer.from("thumb A"));
    image.run(2, Buffer.from("full A"), Buffer.from("thumb A"));

    for (const name of migrations.slice(imagesByHash)) apply(db, name);

    expect(db.prepare(`SELECT "hash", "data" FROM "Image"`).all()).toEqual([{ hash: "hashA", data: Buffer.from("full A") }]);
    expect(db.prepare(`SELECT "id", "title", "editorId", "version", "imageHash", "imageAlt" FROM "Post" ORDER BY "id"`).all()).toEqual([
      { id: 1, title: "First", editorId: 2, version: 3, imageHash: "hashA", imageAlt: "" },
      { id: 2, title: "Second", editorId: 2, version: 3, imageHash: "hashA", imageAlt: "" },
      { id: 3, title: "Lost bytes", editorId: 2, version: 3, imageHash: null, imageAlt: "" },
      { id: 4, title: "No picture", editorId: 2, version: 3, imageHash: null, imageAlt: "" },
    ]);
    expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);

    // Deleting an account keeps the posts it edited last; only its own posts go with it.
    db.pragma("foreign_keys = ON");
    db.prepare(`DELETE FROM "User" WHERE "id" = 2`).run();
    expect(db.prepare(`SELECT "id", "editorId" FROM "Post" ORDER BY "id"`).all()).toEqual([1, 2, 3, 4].map((id) => ({ id, editorId: null })));
    db.close();
  });
});

describe("migrating to revision history", () => {
  it("keeps each existing post's current state as its first revision, under the post's version", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "quill-migrate-")), "quill.db");
    const db = new Database(file);
    const revisions = migrations.indexOf("20261130120000_post_revisions");
    expect(revisions).toBeGreaterThan(0);
    for (const name of migrations.slice(0, revisions)) apply(db, name);

    const now = "2026-11-20T10:00:00.000Z";
    const later = "2026-11-21T09:30:00.000Z";
    db.prepare(`INSERT INTO "User" ("id", "username", "usernameKey", "passwordHash", "updatedAt") VALUES (1, 'ann', 'ann', 'x', ?), (2, 'ben', 'ben', 'x', ?)`).run(now, now);
    db.prepare(`INSERT INTO "Image" ("hash", "contentType", "width", "height", "data", "thumbnail") VALUES ('hashA', 'image/webp', 1, 1, x'00', x'00')`).run();
    const post = db.prepare(`INSERT INTO "Post" ("id", "title", "text", "ownerId", "editorId", "version", "imageHash", "imageAlt", "createdAt", "updatedAt") VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`);
    post.run(1, "Edited often", "Current words", 2, 7, "hashA", "A harbour", now, later);
    post.run(2, "Never edited", "", 1, 1, null, "", now, now);
    post.run(3, "Editor gone", "Text", null, 3, null, "", now, later);

    for (const name of migrations.slice(revisions)) apply(db, name);

    expect(db.prepare(`SELECT * FROM "PostRevision" ORDER BY "postId"`).all()).toEqual([
      { postId: 1, version: 7, editorId: 2, createdAt: later, charsAdded: 25, charsRemoved: 0, imageChanged: 1, restoredFrom: null, imageHash: "hashA", imageAlt: "A harbour", title: "Edited often", text: "Current words" },
      { postId: 2, version: 1, editorId: 1, createdAt: now, charsAdded: 12, charsRemoved: 0, imageChanged: 0, restoredFrom: null, imageHash: null, imageAlt: "", title: "Never edited", text: "" },
      { postId: 3, version: 3, editorId: null, createdAt: later, charsAdded: 15, charsRemoved: 0, imageChanged: 0, restoredFrom: null, imageHash: null, imageAlt: "", title: "Editor gone", text: "Text" },
    ]);
    expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);

    // A post's history goes with it.
    db.pragma("foreign_keys = ON");
    db.prepare(`DELETE FROM "Post" WHERE "id" = 1`).run();
    expect(db.prepare(`SELECT "postId" FROM "PostRevision" ORDER BY "postId"`).all()).toEqual([{ postId: 2 }, { postId: 3 }]);
    db.close();
  });
});
