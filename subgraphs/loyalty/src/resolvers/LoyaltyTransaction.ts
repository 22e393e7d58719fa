import type { LoyaltyTransactionResolvers } from "../__generated__/resolvers.js";

export const LoyaltyTransaction: LoyaltyTransactionResolvers = {
  // @provides(fields: "number"): the ledger recorded the order number, so the router need not ask orders for it.
  order: (entry) => (entry.sourceOrderId ? { id: entry.sourceOrderId, number: entry.orderNumber ?? 0 } : null),
  reward: (entry, _args, { loaders }) => (entry.rewardId ? loaders.rewardById.load(entry.rewardId) : null),
};
