-- Written by `npm run db:migration` (prisma migrate diff) from the schema change of prisma/migrations/20261201100000_deleted_posts.

-- CreateTable
CREATE TABLE "DeletedPost" (
    "id" INTEGER NOT NULL,
    "deletedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeletedPost_pkey" PRIMARY KEY ("id")
);

