import { badUserInput, isUuid, notFound } from "@commerce/common";
import type { MutationResolvers } from "../__generated__/resolvers.js";
import { transitionOrder } from "../data/orders.js";
import { ORDER_COMPLETED } from "@commerce/events";
import { orderCompletedEvent } from "../events.js";
import { parsePlaceOrderInput } from "../orderInput.js";
import { placeOrder } from "../placeOrder.js";
import { allowedSources } from "../statusMachine.js";

// Who may call each field: src/permissions.ts (the viewer is set for both).
export const Mutation: MutationResolvers = {
  async placeOrder(_parent, { input }, { db, catalog, viewer, loaders, outboxWritten }) {
    const order = await placeOrder(db, catalog, viewer!.userId, parsePlaceOrderInput(input));
    // A new order wrote its order.status_changed event (a retry wrote nothing; the nudge is then a no-op).
    outboxWritten();
    loaders.primeOrders([order]);
    return { order };
  },
  async updateOrderStatus(_parent, { input: { orderId, status } }, { db, viewer, loaders, outboxWritten }) {
    if (!isUuid(orderId)) throw notFound("Order", orderId);
    const result = await transitionOrder(db, {
      orderId: orderId.toLowerCase(),
      from: allowedSources(status),
      to: status,
      changedBy: viewer!.userId,
      event:
        status === "COMPLETED"
          ? (order) => ({ type: ORDER_COMPLETED, payload: { ...orderCompletedEvent(order) } })
          : undefined,
    });
    if (!result.ok) {
      if (!result.current) throw notFound("Order", orderId);
      throw badUserInput(`An order in status ${result.current.status} cannot move to ${status}.`, "input.status", {
        reason: "INVALID_STATUS_TRANSITION",
        from: result.current.status,
        to: status,
      });
    }
    outboxWritten();
    loaders.orderById.clear(result.order.id).prime(result.order.id, result.order);
    return { order: result.order };
  },
};
