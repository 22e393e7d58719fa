import type { Order, OrderStatus } from "@commerce/db";
import type { OrderCompletedV1 } from "@commerce/events";

/**
 * An order was placed or moved to another status (subscriptions: `orderUpdated`, `kitchenQueue`). Published on the
 * shared stream beside the contract's events (`@commerce/events`) and read only by orders' own feed: loyalty skips it.
 */
export const ORDER_STATUS_CHANGED = "order.status_changed";

/** The `order.completed` payload of an order that has just completed. */
export function orderCompletedEvent(order: Order): OrderCompletedV1 {
  return {
    version: 1,
    orderId: order.id,
    orderNumber: order.number,
    customerId: order.customerId,
    total: { amount: order.totalAmount, currency: order.currency },
    completedAt: order.updatedAt.toISOString(),
  };
}

/** The payload of `order.status_changed`, version 1 (same rules as `order.completed`: add fields, never change one). */
export interface OrderStatusChangedV1 {
  version: 1;
  orderId: string;
  orderNumber: number;
  customerId: string;
  /** Null when the order was just placed. */
  from: OrderStatus | null;
  to: OrderStatus;
  changedAt: string;
}

export function orderStatusChangedEvent(order: Order, from: OrderStatus | null): OrderStatusChangedV1 {
  return {
    version: 1,
    orderId: order.id,
    orderNumber: order.number,
    customerId: order.customerId,
    from,
    to: order.status,
    changedAt: order.updatedAt.toISOString(),
  };
}
