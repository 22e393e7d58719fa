import { ORDER_EVENTS_STREAM, parseOrderCompleted } from "@commerce/events";
import type { OrderCredit } from "./data/ledger.js";
import { pointsForAmount } from "./points.js";

/**
 * Where failing events end up. Hash-tagged with the events stream's name: on a Redis Cluster it lives in the stream's
 * slot, so a dead letter's XADD and the event's XACK can share one MULTI (a cluster refuses a transaction across slots).
 */
export const DEAD_LETTER_STREAM = `loyalty:dead-letter:{${ORDER_EVENTS_STREAM}}`;
/** Loyalty's consumer group on the order events stream. */
export const CONSUMER_GROUP = "loyalty";

/**
 * The credit an `order.completed` payload asks for. The payload is checked by the contract's own validator
 * (`@commerce/events`), the one orders' events are written against; a malformed one throws MalformedEventError.
 */
export function creditFromOrderCompleted(json: string): OrderCredit {
  const event = parseOrderCompleted(json);
  return {
    orderId: event.orderId,
    orderNumber: event.orderNumber,
    userId: event.customerId,
    points: pointsForAmount(event.total.amount),
    at: new Date(event.completedAt),
  };
}
