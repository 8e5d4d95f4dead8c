-- Deleted posts' ids, so that their pages answer 410 Gone (app/models/post.server.ts deletePost).
-- CreateTable
CREATE TABLE "DeletedPost" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "deletedAt" DATETIME NOT NULL
);

