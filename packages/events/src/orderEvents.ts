import { isUuid } from "@commerce/common";

/** The Redis stream orders publishes its events to (its outbox relay) and loyalty reads (a consumer group). */
export const ORDER_EVENTS_STREAM = "orders:events";
/** An order reached COMPLETED; the payload is {@link OrderCompletedV1}. */
export const ORDER_COMPLETED = "order.completed";

/**
 * The payload of `order.completed`, version 1. Consumers depend on it: add fields, never change or remove one (a
 * breaking change is a new version or a new event type).
 */
export interface OrderCompletedV1 {
  version: 1;
  /** The order's UUID. */
  orderId: string;
  /** The order's number, as customers see it. */
  orderNumber: number;
  /** The accounts user who placed it (UUID). */
  customerId: string;
  /** In minor units (cents) of `currency`. */
  total: { amount: number; currency: string };
  /** ISO 8601. */
  completedAt: string;
}

/** One entry of the stream: what the relay writes (XADD field/value pairs) and a consumer reads. */
export interface OrderEventEntry {
  /** The event type, e.g. {@link ORDER_COMPLETED}. */
  type: string;
  /** The outbox row's id: unique per event, in publishing order. */
  eventId: string;
  /** The order the event is about. */
  aggregateId: string;
  /** The payload as JSON text. */
  payload: string;
}

const ENTRY_FIELDS = ["type", "eventId", "aggregateId", "payload"] as const;

/** The XADD field/value list of an entry. */
export function orderEventFields(entry: OrderEventEntry): string[] {
  return ENTRY_FIELDS.flatMap((field) => [field, entry[field]]);
}

/** An entry from the field/value list XREADGROUP returns; a field that is missing reads as "". */
export function readOrderEventFields(fields: readonly string[]): OrderEventEntry {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] as string] = fields[i + 1] as string;
  return {
    type: record.type ?? "",
    eventId: record.eventId ?? "",
    aggregateId: record.aggregateId ?? "",
    payload: record.payload ?? "",
  };
}

/** A payload that can never be processed (retrying cannot help): a consumer dead-letters it at once. */
export class MalformedEventError extends Error {
  override name = "MalformedEventError";
}

/**
 * An `order.completed` payload (JSON text) checked field by field against {@link OrderCompletedV1}, its UUIDs
 * lower-cased; throws {@link MalformedEventError} naming the first field that is wrong.
 */
export function parseOrderCompleted(json: string): OrderCompletedV1 {
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch {
    throw new MalformedEventError("payload is not JSON");
  }
  const p = (payload ?? {}) as Record<string, unknown>;
  const total = (p.total ?? {}) as Record<string, unknown>;
  if (p.version !== 1) throw new MalformedEventError(`unsupported version ${String(p.version)}`);
  if (typeof p.orderId !== "string" || !isUuid(p.orderId)) throw new MalformedEventError("orderId must be a UUID");
  if (typeof p.customerId !== "string" || !isUuid(p.customerId))
    throw new MalformedEventError("customerId must be a UUID");
  if (!Number.isSafeInteger(p.orderNumber) || (p.orderNumber as number) <= 0)
    throw new MalformedEventError("orderNumber must be a positive integer");
  if (!Number.isSafeInteger(total.amount) || (total.amount as number) < 0)
    throw new MalformedEventError("total.amount must be a non-negative integer");
  if (typeof total.currency !== "string" || !/^[A-Z]{3}$/.test(total.currency))
    throw new MalformedEventError("total.currency must be an ISO 4217 code");
  if (typeof p.completedAt !== "string" || Number.isNaN(new Date(p.completedAt).getTime()))
    throw new MalformedEventError("completedAt must be an ISO date-time");
  return {
    version: 1,
    orderId: p.orderId.toLowerCase(),
    orderNumber: p.orderNumber as number,
    customerId: p.customerId.toLowerCase(),
    total: { amount: total.amount as number, currency: total.currency },
    completedAt: p.completedAt,
  };
}
