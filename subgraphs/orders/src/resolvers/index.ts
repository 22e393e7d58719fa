import type { Resolvers } from "../__generated__/resolvers.js";
import { DateTime } from "@commerce/subgraph";
import { Mutation } from "./Mutation.js";
import { Order } from "./Order.js";
import { OrderConnection } from "./OrderConnection.js";
import { OrderItem } from "./OrderItem.js";
import { OrderStatusChange } from "./OrderStatusChange.js";
import { Query } from "./Query.js";
import { Subscription } from "./Subscription.js";
import { User } from "./User.js";

/** Every resolver of the orders subgraph; src/server.ts applies the permission rules. */
export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  Subscription,
  User,
  Order,
  OrderItem,
  OrderStatusChange,
  OrderConnection,
};
