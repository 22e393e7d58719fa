import { Scope } from "@commerce/auth";
import { ErrorCode, forbidden, isUuid, notFound, subgraphFailed, unauthenticated } from "@commerce/common";
import type { SubscriptionResolvers } from "../__generated__/resolvers.js";
import type { Context } from "../context.js";
import type { OrderFeed, OrderFeedEvent } from "../orderFeed.js";
import { canReadOrdersOf } from "../permissions.js";

/** Each event is the order as of its change. */
const orderOf = (event: OrderFeedEvent) => event.order;

function feedOf(context: Context): OrderFeed {
  // Without Redis nothing is published, so there is nothing to follow.
  if (!context.orderFeed)
    throw subgraphFailed({
      code: ErrorCode.SUBGRAPH_UNAVAILABLE,
      serviceName: "redis",
      reason: "REDIS_URL is not set",
    });
  return context.orderFeed;
}

// src/permissions.ts has the rules of these fields too, but graphql-middleware applies a field's rule around its
// `resolve` (each event) rather than its `subscribe`: a refusal must come at subscribe time, so it is checked here.
export const Subscription: SubscriptionResolvers = {
  orderUpdated: {
    async subscribe(_parent, { id }, context) {
      if (!context.viewer) throw unauthenticated();
      // Row-level: the customer or staff. Anyone else is told what an unknown id gets (existence is not revealed).
      const order = isUuid(id) ? await context.loaders.orderById.load(id) : null;
      if (!order || !canReadOrdersOf(context, order.customerId)) throw notFound("Order", id);
      return feedOf(context).subscribe((event) => event.order.id === order.id, context.resume);
    },
    resolve: orderOf,
  },
  kitchenQueue: {
    subscribe(_parent, _args, context) {
      if (!context.viewer) throw unauthenticated();
      if (!context.viewer.scopes.has(Scope.ORDERS_MANAGE))
        throw forbidden("The kitchen queue needs the orders:manage scope.", { requiredScope: Scope.ORDERS_MANAGE });
      return feedOf(context).subscribe(() => true, context.resume);
    },
    resolve: orderOf,
  },
};
