import type { Resolvers } from "../__generated__/resolvers.js";
import { DateTime } from "@commerce/subgraph";
import { LoyaltyAccount } from "./LoyaltyAccount.js";
import { LoyaltyTransaction } from "./LoyaltyTransaction.js";
import { LoyaltyTransactionConnection } from "./LoyaltyTransactionConnection.js";
import { Mutation } from "./Mutation.js";
import { Order } from "./Order.js";
import { Query } from "./Query.js";
import { Reward } from "./Reward.js";
import { User } from "./User.js";

/** Every resolver of the loyalty subgraph; src/server.ts applies the permission rules. */
export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  User,
  Order,
  Reward,
  LoyaltyAccount,
  LoyaltyTransaction,
  LoyaltyTransactionConnection,
};
