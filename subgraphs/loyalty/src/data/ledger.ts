import {
  findGrouped,
  findKeyed,
  isUniqueViolation,
  type Db,
  type LedgerEntry,
  type LoyaltyAccount,
} from "@commerce/db";
import { createdAtBefore, type CreatedAtPageArgs } from "@commerce/subgraph";

/** The balance rows of these users (users without one are absent), keyed by user id. */
export function findAccountsByUserIds(db: Db, userIds: readonly string[]): Promise<Map<string, LoyaltyAccount>> {
  return findKeyed(
    userIds,
    (batch) => db.loyaltyAccount.findMany({ where: { userId: { in: batch } } }),
    (row) => row.userId,
  );
}

/** Points credited per order (orders without a credit are absent), in one query. */
export async function findPointsByOrderIds(db: Db, orderIds: readonly string[]): Promise<Map<string, number>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db.ledgerEntry.findMany({
    where: { sourceOrderId: { in: [...orderIds] } },
    select: { sourceOrderId: true, points: true },
  });
  return new Map(rows.map((row) => [row.sourceOrderId as string, row.points]));
}

/** A page of ledger entries, newest first, for each of several users in ONE statement (a LATERAL subquery per user). */
export function findLedgerPagesByUsers(
  db: Db,
  userIds: readonly string[],
  { after }: Pick<CreatedAtPageArgs, "after">,
  limit: number,
): Promise<Map<string, LedgerEntry[]>> {
  return findGrouped(
    limit === 0 ? [] : userIds,
    (batch) => db.$queryRaw<LedgerEntry[]>`
    SELECT e.id, e.user_id AS "userId", e.kind::text AS kind, e.points, e.balance_after AS "balanceAfter",
           e.source_order_id AS "sourceOrderId", e.order_number AS "orderNumber", e.reward_id AS "rewardId", e.created_at AS "createdAt"
    FROM unnest(${batch}::uuid[]) AS u(id)
    CROSS JOIN LATERAL (
      SELECT * FROM loyalty.ledger_entries
      WHERE user_id = u.id ${createdAtBefore(after)}
      ORDER BY created_at DESC, id DESC
      LIMIT ${limit}
    ) e
    ORDER BY e.user_id, e.created_at DESC, e.id DESC`,
    (row) => row.userId,
  );
}

export interface OrderCredit {
  orderId: string;
  orderNumber: number;
  userId: string;
  points: number;
  at: Date;
}

/**
 * Credits an order's points exactly once. In one transaction: the balance row is upserted
 * (its row lock serialises credits and redemptions of the user), then the ledger entry is
 * inserted; the unique index on source_order_id makes a second credit of the same order fail,
 * which rolls the balance change back. Returns false when the order was already credited.
 */
export async function creditOrder(db: Db, credit: OrderCredit): Promise<boolean> {
  if (await db.ledgerEntry.findUnique({ where: { sourceOrderId: credit.orderId }, select: { id: true } })) return false;
  try {
    await db.$transaction(async (tx) => {
      const [account] = await tx.$queryRaw<{ balance: number }[]>`
        INSERT INTO loyalty.balances (user_id, balance, lifetime_points, updated_at)
        VALUES (${credit.userId}::uuid, ${credit.points}, ${credit.points}, now())
        ON CONFLICT (user_id) DO UPDATE SET balance = balances.balance + EXCLUDED.balance,
          lifetime_points = balances.lifetime_points + EXCLUDED.lifetime_points, updated_at = now()
        RETURNING balance`;
      await tx.ledgerEntry.create({
        data: {
          userId: credit.userId,
          kind: "EARN",
          points: credit.points,
          balanceAfter: account?.balance ?? credit.points,
          sourceOrderId: credit.orderId,
          orderNumber: credit.orderNumber,
          createdAt: credit.at,
        },
      });
    });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/**
 * Spends points atomically: one conditional UPDATE (`balance >= cost`) on the user's balance
 * row, then the ledger entry, in one transaction. Concurrent redemptions queue on the row
 * lock and each re-checks the condition against the balance the previous one left, so the
 * balance never goes negative. Returns null when the balance is too low.
 */
export async function redeemPoints(
  db: Db,
  {
    userId,
    rewardId,
    cost,
    idempotencyKey,
  }: { userId: string; rewardId: string; cost: number; idempotencyKey: string },
): Promise<{ entry: LedgerEntry; account: LoyaltyAccount } | null> {
  return db.$transaction(async (tx) => {
    const [account] = await tx.$queryRaw<LoyaltyAccount[]>`
      UPDATE loyalty.balances SET balance = balance - ${cost}, updated_at = now()
      WHERE user_id = ${userId}::uuid AND balance >= ${cost}
      RETURNING user_id AS "userId", balance, lifetime_points AS "lifetimePoints", updated_at AS "updatedAt"`;
    if (!account) return null;
    // A second redemption with the same key fails here (unique per user), rolling its balance change back.
    const entry = await tx.ledgerEntry.create({
      data: { userId, kind: "REDEEM", points: -cost, balanceAfter: account.balance, rewardId, idempotencyKey },
    });
    return { entry, account };
  });
}

/** The redemption a user made with this idempotency key, if any. */
export function findRedemption(db: Db, userId: string, idempotencyKey: string): Promise<LedgerEntry | null> {
  return db.ledgerEntry.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey } } });
}
