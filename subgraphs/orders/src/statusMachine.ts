import type { OrderStatus } from "@commerce/db";

/** The moves the kitchen may make: PLACED → PREPARING → READY → COMPLETED, and CANCELLED from PLACED or PREPARING. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = Object.freeze({
  PLACED: ["PREPARING", "CANCELLED"],
  PREPARING: ["READY", "CANCELLED"],
  READY: ["COMPLETED"],
  COMPLETED: [],
  CANCELLED: [],
});

/** The statuses an order may be in to move to `to` (what the conditional UPDATE matches on). */
export function allowedSources(to: OrderStatus): OrderStatus[] {
  return (Object.keys(TRANSITIONS) as OrderStatus[]).filter((from) => TRANSITIONS[from].includes(to));
}

/** True when the status machine allows `from` → `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
