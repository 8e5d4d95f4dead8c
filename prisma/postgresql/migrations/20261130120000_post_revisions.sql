-- Written by `npm run db:migration` (prisma migrate diff) from the schema change of prisma/migrations/20261130120000_post_revisions.

-- CreateTable
CREATE TABLE "PostRevision" (
    "postId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "editorId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "charsAdded" INTEGER NOT NULL,
    "charsRemoved" INTEGER NOT NULL,
    "imageChanged" BOOLEAN NOT NULL,
    "restoredFrom" INTEGER,
    "imageHash" TEXT,
    "imageAlt" TEXT NOT NULL DEFAULT '',
    "title" TEXT NOT NULL,
    "text" TEXT NOT NULL,

    CONSTRAINT "PostRevision_pkey" PRIMARY KEY ("postId","version")
);

-- CreateIndex
CREATE INDEX "PostRevision_editorId_idx" ON "PostRevision"("editorId");

-- CreateIndex
CREATE INDEX "PostRevision_imageHash_idx" ON "PostRevision"("imageHash");

-- AddForeignKey
ALTER TABLE "PostRevision" ADD CONSTRAINT "PostRevision_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PostRevision" ADD CONSTRAINT "PostRevision_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PostRevision" ADD CONSTRAINT "PostRevision_imageHash_fkey" FOREIGN KEY ("imageHash") REFERENCES "Image"("hash") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Backfill (hand-written, as in the SQLite migration): each existing post's current state
-- becomes its first kept revision, under the post's own version number.
INSERT INTO "PostRevision" ("postId", "version", "editorId", "createdAt", "charsAdded", "charsRemoved", "imageChanged", "restoredFrom", "imageHash", "imageAlt", "title", "text")
SELECT "id", "version", "editorId", "updatedAt", length("title") + length("text"), 0, "imageHash" IS NOT NULL, NULL, "imageHash", "imageAlt", "title", "text"
FROM "Post"
ORDER BY "id";
