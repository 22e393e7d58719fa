import type { Order, OrderStatus } from "@commerce/db";

/** The Redis stream order events are published to (consumers: loyalty; every orders instance, for subscriptions). */
export const ORDER_EVENTS_STREAM = "orders:events";
export const ORDER_COMPLETED = "order.completed";
/** An order was placed or moved to another status (subscriptions: `orderUpdated`, `kitchenQueue`). */
export const ORDER_STATUS_CHANGED = "order.status_changed";

/**
 * The payload of `order.completed`, version 1. Consumers depend on it: add fields, never
 * change or remove one (a breaking change is a new event type).
 */
export interface OrderCompletedV1 {
  version: 1;
  orderId: string;
  orderNumber: number;
  customerId: string;
  total: { amount: number; currency: string };
  completedAt: string;
}

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
