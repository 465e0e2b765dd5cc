-- CreateEnum
CREATE TYPE "MessageKind" AS ENUM ('user', 'system');

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "kind" "MessageKind" NOT NULL DEFAULT 'user',
ADD COLUMN     "system" JSONB;
