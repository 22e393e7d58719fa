import type { RewardResolvers } from "../__generated__/resolvers.js";

export const Reward: RewardResolvers = {
  __resolveReference: ({ id }, { loaders }) => loaders.rewardById.load(id),
  product: (reward) => (reward.productId ? { id: reward.productId } : null),
};
