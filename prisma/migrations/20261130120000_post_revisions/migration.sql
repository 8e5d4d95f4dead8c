-- Revision history (docs/decisions/012-revisions.md): every save of a post is kept in
-- PostRevision. Written with `prisma migrate diff`; the backfill at the end is hand-written.

-- CreateTable
CREATE TABLE "PostRevision" (
    "postId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "editorId" INTEGER,
    "createdAt" DATETIME NOT NULL,
    "charsAdded" INTEGER NOT NULL,
    "charsRemoved" INTEGER NOT NULL,
    "imageChanged" BOOLEAN NOT NULL,
    "restoredFrom" INTEGER,
    "imageHash" TEXT,
    "imageAlt" TEXT NOT NULL DEFAULT '',
    "title" TEXT NOT NULL,
    "text" TEXT NOT NULL,

    PRIMARY KEY ("postId", "version"),
    CONSTRAINT "PostRevision_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PostRevision_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "PostRevision_imageHash_fkey" FOREIGN KEY ("imageHash") REFERENCES "Image" ("hash") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "PostRevision_editorId_idx" ON "PostRevision"("editorId");

-- CreateIndex
CREATE INDEX "PostRevision_imageHash_idx" ON "PostRevision"("imageHash");


-- Backfill (hand-written): each existing post's current state becomes its first kept
-- revision, under the post's own version number. Earlier versions were never stored, so
-- its counts are those of a post written from nothing.
INSERT INTO "PostRevision" ("postId", "version", "editorId", "createdAt", "charsAdded", "charsRemoved", "imageChanged", "restoredFrom", "imageHash", "imageAlt", "title", "text")
SELECT "id", "version", "editorId", "updatedAt", length("title") + length("text"), 0, "imageHash" IS NOT NULL, NULL, "imageHash", "imageAlt", "title", "text"
FROM "Post"
ORDER BY "id";
