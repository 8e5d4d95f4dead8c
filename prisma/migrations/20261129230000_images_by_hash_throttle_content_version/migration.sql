-- Images kept once per content hash (Image) instead of once per post (PostImage); Post's
-- editor becomes optional (SET NULL: deleting an account no longer deletes the posts it
-- edited last); image alt text; one Throttle table for every rate limit (LoginThrottle's
-- counters are short-lived, so they are not carried over); the content version.
-- Written with `prisma migrate diff`, then reordered by hand so that image bytes are
-- copied before PostImage is dropped.

-- CreateTable
CREATE TABLE "Image" (
    "hash" TEXT NOT NULL PRIMARY KEY,
    "contentType" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "data" BLOB NOT NULL,
    "thumbnail" BLOB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Copy the images (hand-written): one row per distinct hash.
INSERT OR IGNORE INTO "Image" ("hash", "contentType", "width", "height", "data", "thumbnail")
SELECT p."imageHash", i."contentType", i."width", i."height", i."data", i."thumbnail"
FROM "PostImage" i JOIN "Post" p ON p."id" = i."postId"
WHERE p."imageHash" IS NOT NULL;
-- A hash whose bytes were never stored would break the new foreign key.
UPDATE "Post" SET "imageHash" = NULL WHERE "imageHash" IS NOT NULL AND "imageHash" NOT IN (SELECT "hash" FROM "Image");

-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "PostImage";
PRAGMA foreign_keys=on;

-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "LoginThrottle";
PRAGMA foreign_keys=on;

-- CreateTable
CREATE TABLE "Throttle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL DEFAULT 0,
    "windowStart" DATETIME NOT NULL,
    "inFlight" INTEGER NOT NULL DEFAULT 0,
    "inFlightUntil" DATETIME
);

-- CreateTable
CREATE TABLE "ContentVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "version" INTEGER NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Post" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "ownerId" INTEGER NOT NULL,
    "editorId" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 1,
    "imageHash" TEXT,
    "imageAlt" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Post_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Post_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Post_imageHash_fkey" FOREIGN KEY ("imageHash") REFERENCES "Image" ("hash") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Post" ("createdAt", "editorId", "id", "imageHash", "ownerId", "text", "title", "updatedAt", "version") SELECT "createdAt", "editorId", "id", "imageHash", "ownerId", "text", "title", "updatedAt", "version" FROM "Post";
DROP TABLE "Post";
ALTER TABLE "new_Post" RENAME TO "Post";
CREATE INDEX "Post_ownerId_idx" ON "Post"("ownerId");
CREATE INDEX "Post_editorId_idx" ON "Post"("editorId");
CREATE INDEX "Post_imageHash_idx" ON "Post"("imageHash");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Throttle_windowStart_idx" ON "Throttle"("windowStart");
