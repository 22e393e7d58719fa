import type { LoyaltyAccountResolvers } from "../__generated__/resolvers.js";
import { parseLedgerPageArgs } from "../models.js";
import { pointsToNextTier, tierFor } from "../points.js";

export const LoyaltyAccount: LoyaltyAccountResolvers = {
  tier: (account) => tierFor(account.lifetimePoints),
  pointsToNextTier: (account) => pointsToNextTier(account.lifetimePoints),
  async history(account, args, { loaders }) {
    const page = parseLedgerPageArgs(args);
    return { rows: await loaders.historyByUserId(page).load(account.userId), first: page.first };
  },
};
