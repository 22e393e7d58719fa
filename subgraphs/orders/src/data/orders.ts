import {
  findGrouped,
  findKeyed,
  Prisma,
  type Db,
  type DbClient,
  type Order,
  type OrderItem,
  type OrderStatus,
  type OrderStatusChange,
} from "@commerce/db";
import { ORDER_STATUS_CHANGED, orderStatusChangedEvent } from "../events.js";
import type { OrderPageArgs } from "../pagination.js";

/** The orders with these ids (missing ids are absent), keyed by id. Ids must be UUIDs. */
export function findOrdersByIds(db: DbClient, ids: readonly string[]): Promise<Map<string, Order>> {
  return findKeyed(
    ids,
    (batch) => db.order.findMany({ where: { id: { in: batch } } }),
    (row) => row.id,
  );
}

/** The orders with these numbers (missing numbers are absent), keyed by number. */
export function findOrdersByNumbers(db: DbClient, numbers: readonly number[]): Promise<Map<number, Order>> {
  return findKeyed(
    numbers,
    (batch) => db.order.findMany({ where: { number: { in: batch } } }),
    (row) => row.number,
  );
}

/** The order a customer placed with this idempotency key, if any. */
export function findOrderByIdempotencyKey(
  db: DbClient,
  customerId: string,
  idempotencyKey: string,
): Promise<Order | null> {
  return db.order.findUnique({ where: { customerId_idempotencyKey: { customerId, idempotencyKey } } });
}

/** The lines of each order, in order, for every order of the batch in one query. */
export function findItemsByOrderIds(db: DbClient, orderIds: readonly string[]): Promise<Map<string, OrderItem[]>> {
  return findGrouped(
    orderIds,
    (batch) =>
      db.orderItem.findMany({ where: { orderId: { in: batch } }, orderBy: [{ orderId: "asc" }, { position: "asc" }] }),
    (row) => row.orderId,
  );
}

/** The status history of each order, oldest first, in one query. */
export function findStatusChangesByOrderIds(
  db: DbClient,
  orderIds: readonly string[],
): Promise<Map<string, OrderStatusChange[]>> {
  return findGrouped(
    orderIds,
    (batch) =>
      db.orderStatusChange.findMany({
        where: { orderId: { in: batch } },
        orderBy: [{ changedAt: "asc" }, { id: "asc" }],
      }),
    (row) => row.orderId,
  );
}

/**
 * A page of orders, newest first, for each of several customers in ONE statement: a LATERAL
 * subquery per customer walks the (customer_id, number) index and stops after `limit` rows.
 */
export function findOrderPagesByCustomers(
  db: DbClient,
  customerIds: readonly string[],
  { after, status }: Pick<OrderPageArgs, "after" | "status">,
  limit: number,
): Promise<Map<string, Order[]>> {
  return findGrouped(
    limit === 0 ? [] : customerIds,
    (batch) => db.$queryRaw<Order[]>`
    SELECT o.id, o.number, o.customer_id AS "customerId", o.idempotency_key AS "idempotencyKey",
           o.request_hash AS "requestHash", o.status::text AS status, o.total_amount AS "totalAmount", o.currency,
           o.created_at AS "createdAt", o.updated_at AS "updatedAt"
    FROM unnest(${batch}::uuid[]) AS c(id)
    CROSS JOIN LATERAL (
      SELECT * FROM orders.orders
      WHERE customer_id = c.id
        ${after !== null ? Prisma.sql`AND number < ${after}` : Prisma.empty}
        ${status !== null ? Prisma.sql`AND status = ${status}::orders."OrderStatus"` : Prisma.empty}
      ORDER BY number DESC
      LIMIT ${limit}
    ) o
    ORDER BY o.customer_id, o.number DESC`,
    (row) => row.customerId,
  );
}

/** Every customer's orders, oldest first (the kitchen queue), `limit` rows after `after`. */
export function findOrderQueue(
  db: DbClient,
  { after, status }: Pick<OrderPageArgs, "after" | "status">,
  limit: number,
): Promise<Order[]> {
  return db.order.findMany({
    where: { ...(status ? { status } : {}), ...(after !== null ? { number: { gt: after } } : {}) },
    orderBy: { number: "asc" },
    take: limit,
  });
}

export interface NewOrder {
  customerId: string;
  idempotencyKey: string;
  requestHash: string;
  currency: string;
  items: Omit<Prisma.OrderItemCreateManyInput, "orderId">[];
}

/**
 * Inserts an order, its lines, its first status entry and its `order.status_changed` outbox event in one
 * transaction. Throws a unique violation (see {@link isUniqueViolation}) when the customer already used the key.
 */
export async function insertOrder(db: Db, order: NewOrder): Promise<Order> {
  const totalAmount = order.items.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0);
  return db.$transaction(async (tx) => {
    const placed = await tx.order.create({
      data: {
        customerId: order.customerId,
        idempotencyKey: order.idempotencyKey,
        requestHash: order.requestHash,
        currency: order.currency,
        totalAmount,
        items: { createMany: { data: order.items } },
        statusChanges: { create: { fromStatus: null, toStatus: "PLACED", changedBy: order.customerId } },
      },
    });
    await tx.outboxEvent.create({
      data: {
        type: ORDER_STATUS_CHANGED,
        aggregateId: placed.id,
        payload: { ...orderStatusChangedEvent(placed, null) },
      },
    });
    return placed;
  });
}

export type TransitionResult = { ok: true; order: Order; from: OrderStatus } | { ok: false; current: Order | null };

/**
 * Moves an order to `to` in one transaction: a conditional UPDATE (only from a status the
 * machine allows, so two racing moves cannot both win), the history row, its `order.status_changed`
 * outbox event and, when given, another event's. Nothing is written when the order is missing or in
 * another status.
 */
export async function transitionOrder(
  db: Db,
  {
    orderId,
    from,
    to,
    changedBy,
    event,
  }: {
    orderId: string;
    from: readonly OrderStatus[];
    to: OrderStatus;
    changedBy: string;
    event?: (order: Order) => { type: string; payload: Prisma.InputJsonValue };
  },
): Promise<TransitionResult> {
  return db.$transaction(async (tx) => {
    // One statement: the FOR UPDATE subquery locks the row and, after waiting for a concurrent
    // move, re-reads its newest status, so the condition and `previous` are never stale.
    const [row] = await tx.$queryRaw<{ previous: OrderStatus }[]>`
      UPDATE orders.orders AS o SET status = ${to}::orders."OrderStatus", updated_at = now()
      FROM (SELECT id, status FROM orders.orders WHERE id = ${orderId}::uuid FOR UPDATE) AS before
      WHERE o.id = before.id AND before.status::text = ANY(${[...from]}::text[])
      RETURNING before.status::text AS previous`;
    if (!row) return { ok: false, current: await tx.order.findUnique({ where: { id: orderId } }) };
    const order = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
    await tx.orderStatusChange.create({ data: { orderId, fromStatus: row.previous, toStatus: to, changedBy } });
    const changed = { type: ORDER_STATUS_CHANGED, payload: { ...orderStatusChangedEvent(order, row.previous) } };
    const events = [changed, ...(event ? [event(order)] : [])];
    await tx.outboxEvent.createMany({
      data: events.map(({ type, payload }) => ({ type, aggregateId: orderId, payload })),
    });
    return { ok: true, order, from: row.previous };
  });
}
