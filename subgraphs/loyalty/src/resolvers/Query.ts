import type { QueryResolvers } from "../__generated__/resolvers.js";
import { listActiveRewards } from "../data/rewards.js";

export const Query: QueryResolvers = {
  async rewards(_parent, _args, { db, loaders }) {
    const rewards = await listActiveRewards(db);
    for (const reward of rewards) loaders.rewardById.prime(reward.id, reward);
    return rewards;
  },
};
