import type { Order } from "@commerce/db";

/** The Redis stream order events are published to (consumers: loyalty). */
export const ORDER_EVENTS_STREAM = "orders:events";
export const ORDER_COMPLETED = "order.completed";

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
