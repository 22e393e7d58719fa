import type { QueryResolvers } from "../__generated__/resolvers.js";
import { findOrderQueue } from "../data/orders.js";
import { parseOrderPageArgs } from "../pagination.js";
import { canReadOrdersOf } from "../permissions.js";

// Who may call each field: src/permissions.ts.
export const Query: QueryResolvers = {
  async order(_parent, { id }, context) {
    const order = await context.loaders.orderById.load(id);
    return order && canReadOrdersOf(context, order.customerId) ? order : null;
  },
  async orders(_parent, args, { db, loaders }) {
    const page = parseOrderPageArgs(args);
    const rows = await findOrderQueue(db, page, page.first + 1);
    loaders.primeOrders(rows);
    return { rows, first: page.first };
  },
};
