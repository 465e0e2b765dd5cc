-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "invitationId" UUID;

-- CreateIndex
CREATE INDEX "Session_invitationId_idx" ON "Session"("invitationId");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_invitationId_fkey" FOREIGN KEY ("invitationId") REFERENCES "Invitation"("id") ON DELETE SET NULL ON UPDATE CASCADE;
