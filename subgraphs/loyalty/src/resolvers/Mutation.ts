import { badUserInput, notFound } from "@commerce/common";
import type { MutationResolvers } from "../__generated__/resolvers.js";
import { redeemPoints } from "../data/ledger.js";
import { isUuid } from "../models.js";

// Who may call each field: src/permissions.ts (the viewer is set).
export const Mutation: MutationResolvers = {
  async redeemReward(_parent, { input: { rewardId } }, { db, viewer, loaders }) {
    const reward = isUuid(rewardId) ? await loaders.rewardById.load(rewardId) : null;
    if (!reward?.active) throw notFound("Reward", rewardId);
    const userId = viewer!.userId;
    const redeemed = await redeemPoints(db, { userId, rewardId: reward.id, cost: reward.cost });
    if (!redeemed) {
      const { balance } = await loaders.accountByUserId.load(userId);
      throw badUserInput(`${reward.name} costs ${reward.cost} points; the balance is ${balance}.`, "input.rewardId", {
        reason: "INSUFFICIENT_POINTS",
        cost: reward.cost,
        balance,
      });
    }
    loaders.accountByUserId.clear(userId).prime(userId, redeemed.account);
    return { transaction: redeemed.entry, account: redeemed.account };
  },
};
