import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, inject } from "vitest";
import { createLogger } from "@commerce/common";
import { createDb, type Db } from "@commerce/db";
import { truncateAll } from "@commerce/testing";
import { creditOrder } from "../src/data/ledger.js";
import { ORDER_COMPLETED, ORDER_EVENTS_STREAM, orderEventFields, type OrderCompletedV1 } from "@commerce/events";
import { CONSUMER_GROUP, DEAD_LETTER_STREAM } from "../src/orderEvents.js";
import {
  startOrderEventsConsumer,
  type OrderEventsConsumer,
  type OrderEventsConsumerOptions,
} from "../src/orderEventsConsumer.js";
import { MEMBER_ID, OTHER_MEMBER_ID, orderId } from "./harness.js";

const logger = createLogger("loyalty-consumer-test", "silent");
let db: Db;
let redis: Redis;
const connections: Redis[] = [];
const running: OrderEventsConsumer[] = [];

beforeAll(() => {
  db = createDb(inject("databaseUrl"), { poolSize: 10 });
  redis = new Redis(inject("redisUrl"));
});
afterAll(async () => {
  redis?.disconnect();
  await db?.$disconnect();
});
beforeEach(async () => {
  await redis.flushdb();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
  for (const connection of connections.splice(0)) connection.disconnect();
  await truncateAll(inject("databaseUrl"), ["loyalty"]);
});

/** Starts a consumer on its own connection (blocking reads hold one), stopped after the test. */
async function start(
  consumer: string,
  options: Partial<OrderEventsConsumerOptions> = {},
): Promise<OrderEventsConsumer> {
  const connection = new Redis(inject("redisUrl"));
  connections.push(connection);
  const started = await startOrderEventsConsumer({
    db,
    redis: connection,
    logger,
    consumer,
    blockMs: 50,
    claimIdleMs: 100,
    maxAttempts: 3,
    ...options,
  });
  running.push(started);
  return started;
}

/** Appends an order.completed event as the orders outbox relay does: the contract's payload type and stream entry fields. */
function publish(
  n: number,
  { customerId = MEMBER_ID, amount = 1250 }: { customerId?: string; amount?: number } = {},
  payload?: string,
): Promise<string | null> {
  const event: OrderCompletedV1 = {
    version: 1,
    orderId: orderId(n),
    orderNumber: n,
    customerId,
    total: { amount, currency: "EUR" },
    completedAt: "2026-11-21T12:00:00.000Z",
  };
  const fields = orderEventFields({
    type: ORDER_COMPLETED,
    eventId: String(n),
    aggregateId: orderId(n),
    payload: payload ?? JSON.stringify(event),
  });
  return redis.xadd(ORDER_EVENTS_STREAM, "*", ...fields);
}

/** Polls until `condition` holds (events are processed asynchronously); fails after 15 s. */
async function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const pendingCount = async () => Number(((await redis.xpending(ORDER_EVENTS_STREAM, CONSUMER_GROUP)) as [number])[0]);
const creditsFor = (n: number) => db.ledgerEntry.count({ where: { sourceOrderId: orderId(n) } });
const balanceOf = async (userId: string) => (await db.loyaltyAccount.findUnique({ where: { userId } }))?.balance ?? 0;
/** Every event of the stream was delivered to the group and acknowledged. */
async function drained(): Promise<boolean> {
  const [group] = (await redis.xinfo("GROUPS", ORDER_EVENTS_STREAM)) as unknown[][];
  const [last] = await redis.xrevrange(ORDER_EVENTS_STREAM, "+", "-", "COUNT", 1);
  return (
    group !== undefined && group[group.indexOf("last-delivered-id") + 1] === last?.[0] && (await pendingCount()) === 0
  );
}

describe("order events consumer", () => {
  it("credits events published while loyalty was down, once each, even when an event is delivered twice", async () => {
    await publish(1);
    await publish(1);
    await publish(2, { amount: 399 });
    await start("c1");
    await eventually(drained, "all events acknowledged");
    expect(await creditsFor(1)).toBe(1);
    expect(await creditsFor(2)).toBe(1);
    expect(await balanceOf(MEMBER_ID)).toBe(12 + 3);
    const ledger = await db.ledgerEntry.findMany({ where: { userId: MEMBER_ID }, orderBy: { balanceAfter: "asc" } });
    expect(ledger.map((e) => [e.kind, e.points, e.balanceAfter])).toEqual([
      ["EARN", 12, 12],
      ["EARN", 3, 15],
    ]);
  });

  it("reclaims an event a crashed consumer read but never acknowledged, and credits it once", async () => {
    await redis.xgroup("CREATE", ORDER_EVENTS_STREAM, CONSUMER_GROUP, "0", "MKSTREAM");
    await publish(3);
    // "crashed" reads the event and dies before XACK: it stays in the group's pending list.
    await redis.xreadgroup("GROUP", CONSUMER_GROUP, "crashed", "COUNT", 10, "STREAMS", ORDER_EVENTS_STREAM, ">");
    expect(await pendingCount()).toBe(1);
    await start("survivor");
    await eventually(async () => (await pendingCount()) === 0, "the stuck event to be claimed and acknowledged");
    expect(await creditsFor(3)).toBe(1);
  });

  it("does not credit twice when a consumer crashed after committing the credit but before acknowledging", async () => {
    await redis.xgroup("CREATE", ORDER_EVENTS_STREAM, CONSUMER_GROUP, "0", "MKSTREAM");
    await publish(4);
    await redis.xreadgroup("GROUP", CONSUMER_GROUP, "crashed", "COUNT", 10, "STREAMS", ORDER_EVENTS_STREAM, ">");
    expect(
      await creditOrder(db, { orderId: orderId(4), orderNumber: 4, userId: MEMBER_ID, points: 12, at: new Date() }),
    ).toBe(true);
    await start("survivor");
    await eventually(async () => (await pendingCount()) === 0, "the redelivered event to be acknowledged");
    expect(await creditsFor(4)).toBe(1);
    expect(await balanceOf(MEMBER_ID)).toBe(12);
  });

  it("credits every order exactly once with two consumers, a restart and duplicate deliveries", async () => {
    for (let n = 10; n < 40; n += 1)
      await publish(n, { customerId: n % 2 ? MEMBER_ID : OTHER_MEMBER_ID, amount: 100 * n });
    const first = await start("a", { batchSize: 5 });
    await start("b", { batchSize: 5 });
    await eventually(async () => (await db.ledgerEntry.count()) >= 10, "some credits");
    await first.stop();
    for (let n = 10; n < 40; n += 3)
      await publish(n, { customerId: n % 2 ? MEMBER_ID : OTHER_MEMBER_ID, amount: 100 * n });
    await start("a-restarted", { batchSize: 5 });
    await eventually(drained, "all events acknowledged");
    expect(await db.ledgerEntry.count()).toBe(30);
    const perOrder = await db.ledgerEntry.groupBy({ by: ["sourceOrderId"], _count: { _all: true } });
    expect(perOrder.every((g) => g._count._all === 1)).toBe(true);
    const expected = (odd: boolean) =>
      Array.from({ length: 30 }, (_, i) => i + 10)
        .filter((n) => (n % 2 === 1) === odd)
        .reduce((s, n) => s + n, 0);
    expect(await balanceOf(MEMBER_ID)).toBe(expected(true));
    expect(await balanceOf(OTHER_MEMBER_ID)).toBe(expected(false));
  });

  it("moves an event that keeps failing to the dead-letter stream after maxAttempts deliveries", async () => {
    await publish(5);
    // Every credit fails: this consumer's database does not exist.
    const unreachable = createDb("postgresql://loyalty@127.0.0.1:1/none", { poolSize: 1 });
    await start("broken", { db: unreachable, maxAttempts: 3, claimIdleMs: 20 });
    await eventually(async () => (await redis.xlen(DEAD_LETTER_STREAM)) === 1, "the dead-lettered event");
    const [[, fields] = ["", []]] = await redis.xrange(DEAD_LETTER_STREAM, "-", "+");
    const dead = Object.fromEntries(fields.flatMap((v, i) => (i % 2 === 0 ? [[v, fields[i + 1]]] : [])));
    expect(dead).toMatchObject({ type: "order.completed", attempts: "3", stream: ORDER_EVENTS_STREAM });
    expect(dead.error).toBeTruthy();
    expect(await pendingCount()).toBe(0);
    expect(await creditsFor(5)).toBe(0);
    await unreachable.$disconnect();
  });

  it("recreates its group when the stream was lost (Redis restarted without persistence) and keeps crediting", async () => {
    await start("c1");
    await publish(8);
    await eventually(async () => (await creditsFor(8)) === 1, "the first credit");
    await redis.del(ORDER_EVENTS_STREAM);
    await publish(9);
    await eventually(async () => (await creditsFor(9)) === 1, "the credit after the stream was lost");
  });

  it("dead-letters a malformed event at once (retrying cannot help) and keeps consuming", async () => {
    await publish(6, {}, "{not json");
    await publish(7);
    await start("c1");
    await eventually(drained, "all events handled");
    const [[, fields] = ["", []]] = await redis.xrange(DEAD_LETTER_STREAM, "-", "+");
    expect(fields).toContain("payload is not JSON");
    expect(fields[fields.indexOf("attempts") + 1]).toBe("1");
    expect(await creditsFor(7)).toBe(1);
  });
});
