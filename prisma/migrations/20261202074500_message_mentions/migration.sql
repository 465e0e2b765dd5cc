-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "mentions" UUID[] DEFAULT ARRAY[]::UUID[],
ADD COLUMN     "mentionsHere" BOOLEAN NOT NULL DEFAULT false;
