-- AlterTable
ALTER TABLE "loyalty"."ledger_entries" ADD COLUMN     "idempotency_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "ledger_entries_user_id_idempotency_key_key" ON "loyalty"."ledger_entries"("user_id", "idempotency_key");
