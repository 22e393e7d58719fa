import type { OrderResolvers } from "../__generated__/resolvers.js";
import type { OrderRef } from "../models.js";
import { pointsForAmount } from "../points.js";

export const Order: OrderResolvers = {
  // Loyalty keeps no order rows: the representation (id, plus `total` when @requires asks for it) is the entity.
  __resolveReference: (reference) => reference,
  pointsEarned: (order, _args, { loaders }) => loaders.pointsEarnedByOrderId.load(order.id),
  // @requires(fields: "total { amount currency }"): the router fetches the total from orders first.
  // The cast undoes codegen's deep pick over an optional field; the router always sends `total` here.
  pointsToEarn: (order) => pointsForAmount((order.total as OrderRef["total"])?.amount ?? 0),
};
