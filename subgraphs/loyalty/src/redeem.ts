import { badUserInput, conflict, notFound } from "@commerce/common";
import { isUniqueViolation, type Db, type LedgerEntry, type LoyaltyAccount, type Reward } from "@commerce/db";
import { findRedemption, redeemPoints } from "./data/ledger.js";

export interface Redemption {
  entry: LedgerEntry;
  account: LoyaltyAccount;
}

/** A redemption found by its key: the same reward is the same request, another one a misused key. */
function sameRedemption(entry: LedgerEntry, rewardId: string): LedgerEntry {
  if (entry.rewardId !== rewardId.toLowerCase()) {
    throw conflict(
      "This idempotencyKey was already used to redeem another reward; use a new key for a new redemption.",
      "input.idempotencyKey",
    );
  }
  return entry;
}

/**
 * Redeems a reward once per (user, idempotency key). A retry of a redemption that went through is answered with its
 * entry and the current account, spending nothing; of racing identical requests, the unique index lets one insert
 * and the others answer with its entry. Unknown or retired rewards are NOT_FOUND, too few points BAD_USER_INPUT.
 */
export async function redeemReward(
  db: Db,
  { userId, rewardId, idempotencyKey }: { userId: string; rewardId: string; idempotencyKey: string },
  lookups: { reward(id: string): Promise<Reward | null>; account(userId: string): Promise<LoyaltyAccount> },
): Promise<Redemption> {
  const replay = async (entry: LedgerEntry) => ({
    entry: sameRedemption(entry, rewardId),
    account: await lookups.account(userId),
  });
  const previous = await findRedemption(db, userId, idempotencyKey);
  if (previous) return replay(previous);
  const reward = await lookups.reward(rewardId);
  if (!reward?.active) throw notFound("Reward", rewardId);
  let redeemed: Redemption | null;
  try {
    redeemed = await redeemPoints(db, { userId, rewardId: reward.id, cost: reward.cost, idempotencyKey });
  } catch (error) {
    const winner = isUniqueViolation(error) ? await findRedemption(db, userId, idempotencyKey) : null;
    if (!winner) throw error;
    return replay(winner);
  }
  if (!redeemed) {
    const { balance } = await lookups.account(userId);
    throw badUserInput(`${reward.name} costs ${reward.cost} points; the balance is ${balance}.`, "input.rewardId", {
      reason: "INSUFFICIENT_POINTS",
      cost: reward.cost,
      balance,
    });
  }
  return redeemed;
}
