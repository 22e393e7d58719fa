import { parseIdempotencyKey } from "@commerce/subgraph";
import { isUuid } from "@commerce/common";
import type { MutationResolvers } from "../__generated__/resolvers.js";
import { redeemReward } from "../redeem.js";

// Who may call each field: src/permissions.ts (the viewer is set).
export const Mutation: MutationResolvers = {
  async redeemReward(_parent, { input: { rewardId, idempotencyKey } }, { db, viewer, loaders }) {
    const userId = viewer!.userId;
    const redeemed = await redeemReward(
      db,
      { userId, rewardId, idempotencyKey: parseIdempotencyKey(idempotencyKey, "input.idempotencyKey") },
      {
        reward: async (id) => (isUuid(id) ? loaders.rewardById.load(id) : null),
        account: (id) => loaders.accountByUserId.clear(id).load(id),
      },
    );
    loaders.accountByUserId.clear(userId).prime(userId, redeemed.account);
    return { transaction: redeemed.entry, account: redeemed.account };
  },
};
