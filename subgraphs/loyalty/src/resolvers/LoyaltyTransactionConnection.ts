import type { LedgerEntry } from "@commerce/db";
import { connectionResolvers, encodeCreatedAtCursor } from "@commerce/subgraph";
import type { LoyaltyTransactionConnectionResolvers } from "../__generated__/resolvers.js";

export const LoyaltyTransactionConnection: LoyaltyTransactionConnectionResolvers =
  connectionResolvers<LedgerEntry>(encodeCreatedAtCursor);
