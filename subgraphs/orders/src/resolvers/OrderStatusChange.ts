import type { OrderStatusChangeResolvers } from "../__generated__/resolvers.js";

export const OrderStatusChange: OrderStatusChangeResolvers = {
  from: (change) => change.fromStatus,
  to: (change) => change.toStatus,
  changedBy: (change) => ({ id: change.changedBy }),
  at: (change) => change.changedAt,
};
