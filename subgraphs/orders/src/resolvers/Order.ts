import type { OrderResolvers } from "../__generated__/resolvers.js";
import { canReadOrdersOf } from "../permissions.js";

export const Order: OrderResolvers = {
  // By id or by number, through a loader; orders the viewer may not see resolve to null.
  async __resolveReference(reference, context) {
    const order =
      "id" in reference
        ? await context.loaders.orderById.load(reference.id)
        : await context.loaders.orderByNumber.load(reference.number);
    return order && canReadOrdersOf(context, order.customerId) ? order : null;
  },
  items: (order, _args, { loaders }) => loaders.itemsByOrderId.load(order.id),
  total: (order) => ({ amount: order.totalAmount, currency: order.currency }),
  customer: (order) => ({ id: order.customerId }),
  statusHistory: (order, _args, { loaders }) => loaders.statusChangesByOrderId.load(order.id),
};
