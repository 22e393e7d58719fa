import { isUuid } from "@commerce/common";
import type { OrderCredit } from "./data/ledger.js";
import { pointsForAmount } from "./points.js";

/** The stream orders publishes to, the event loyalty credits points for, and where failing events end up. */
export const ORDER_EVENTS_STREAM = "orders:events";
export const ORDER_COMPLETED = "order.completed";
/**
 * Hash-tagged with the events stream's name: on a Redis Cluster it lives in the stream's slot, so a dead letter's XADD
 * and the event's XACK can share one MULTI (a cluster refuses a transaction across slots).
 */
export const DEAD_LETTER_STREAM = `loyalty:dead-letter:{${ORDER_EVENTS_STREAM}}`;
export const CONSUMER_GROUP = "loyalty";

/** An event that can never be processed (retrying cannot help): it goes to the dead-letter stream at once. */
export class MalformedEventError extends Error {
  override name = "MalformedEventError";
}

/**
 * The credit an `order.completed` (version 1) event asks for. The payload is orders'
 * contract (subgraphs/orders/src/events.ts), validated here field by field.
 */
export function creditFromOrderCompleted(rawPayload: string | undefined): OrderCredit {
  let payload: unknown;
  try {
    payload = JSON.parse(rawPayload ?? "");
  } catch {
    throw new MalformedEventError("payload is not JSON");
  }
  const p = (payload ?? {}) as Record<string, unknown>;
  const total = (p.total ?? {}) as Record<string, unknown>;
  const at = new Date(typeof p.completedAt === "string" ? p.completedAt : Number.NaN);
  if (p.version !== 1) throw new MalformedEventError(`unsupported version ${String(p.version)}`);
  if (typeof p.orderId !== "string" || !isUuid(p.orderId)) throw new MalformedEventError("orderId must be a UUID");
  if (typeof p.customerId !== "string" || !isUuid(p.customerId)) throw new MalformedEventError("customerId must be a UUID");
  if (!Number.isSafeInteger(p.orderNumber) || (p.orderNumber as number) <= 0) throw new MalformedEventError("orderNumber must be a positive integer");
  if (!Number.isSafeInteger(total.amount) || (total.amount as number) < 0) throw new MalformedEventError("total.amount must be a non-negative integer");
  if (Number.isNaN(at.getTime())) throw new MalformedEventError("completedAt must be an ISO date-time");
  return {
    orderId: p.orderId.toLowerCase(),
    orderNumber: p.orderNumber as number,
    userId: p.customerId.toLowerCase(),
    points: pointsForAmount(total.amount as number),
    at,
  };
}
