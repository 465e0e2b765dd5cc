-- The admin token generated when ADMIN_TOKEN is not set: only its SHA-256, one row (id 1).
-- CreateTable
CREATE TABLE "AdminToken" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdminToken_pkey" PRIMARY KEY ("id")
);
