import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, inject } from "vitest";
import { createLogger } from "@commerce/common";
import { defined, errorCodes } from "@commerce/testing";
import { ORDER_EVENTS_STREAM } from "@commerce/events";
import { startOutboxRelay } from "../src/outboxRelay.js";
import { CUSTOMER_ID, productId, seedMenu, STAFF_ID } from "./fixtures/menu.js";
import { startHarness, type Harness } from "./harness.js";

let h: Harness;
let redis: Redis;
beforeAll(async () => {
  h = await startHarness({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });
  redis = new Redis(inject("redisUrl"));
});
afterAll(async () => {
  redis?.disconnect();
  await h?.stop();
});
beforeEach(async () => seedMenu(h.db));
afterEach(async () => h.reset());

const staff = { userId: STAFF_ID, scopes: ["orders:manage"] };
const MOVE = `mutation($id: ID!, $status: OrderStatus!) { updateOrderStatus(input: { orderId: $id, status: $status }) { order { id status statusHistory { from to changedBy { id } } } } }`;
type Moved = { updateOrderStatus: { order: { status: string; statusHistory: { from: string | null; to: string }[] } } };

async function placeOrder(key = "status-test"): Promise<string> {
  const result = await h.execute<{ placeOrder: { order: { id: string } } }>(
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } } }`,
    {
      input: {
        idempotencyKey: key,
        items: [
          { productId: productId(1), quantity: 3 },
          { productId: productId(2), quantity: 1 },
        ],
      },
    },
    { userId: CUSTOMER_ID },
  );
  return defined(result.data?.placeOrder.order.id, "order id");
}

describe("status machine", () => {
  it("moves PLACED → PREPARING → READY → COMPLETED, recording each change, an order.status_changed event each and one order.completed", async () => {
    const id = await placeOrder();
    for (const status of ["PREPARING", "READY", "COMPLETED"]) {
      const result = await h.execute<Moved>(MOVE, { id, status }, staff);
      expect(result.errors).toBeUndefined();
      expect(result.data?.updateOrderStatus.order.status).toBe(status);
    }
    const history = await h.execute<Moved>(MOVE, { id, status: "COMPLETED" }, staff);
    expect(history.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "INVALID_STATUS_TRANSITION",
      from: "COMPLETED",
      to: "COMPLETED",
    });
    const changes = await h.db.orderStatusChange.findMany({ where: { orderId: id }, orderBy: { changedAt: "asc" } });
    expect(changes.map((c) => [c.fromStatus, c.toStatus, c.changedBy])).toEqual([
      [null, "PLACED", CUSTOMER_ID],
      ["PLACED", "PREPARING", STAFF_ID],
      ["PREPARING", "READY", STAFF_ID],
      ["READY", "COMPLETED", STAFF_ID],
    ]);
    const outbox = await h.db.outboxEvent.findMany({ orderBy: { id: "asc" } });
    expect(outbox.map((event) => [event.type, event.aggregateId, event.publishedAt])).toEqual([
      ...Array.from({ length: 4 }, () => ["order.status_changed", id, null]),
      ["order.completed", id, null],
    ]);
    expect(outbox.slice(0, 4).map((event) => event.payload)).toEqual(
      [
        [null, "PLACED"],
        ["PLACED", "PREPARING"],
        ["PREPARING", "READY"],
        ["READY", "COMPLETED"],
      ].map(([from, to]) => ({
        version: 1,
        orderId: id,
        orderNumber: expect.any(Number),
        customerId: CUSTOMER_ID,
        from,
        to,
        changedAt: expect.any(String),
      })),
    );
    expect(outbox[4]?.payload).toMatchObject({
      version: 1,
      orderId: id,
      customerId: CUSTOMER_ID,
      total: { amount: 3 * 101 + 102, currency: "EUR" },
    });
  });

  it("rejects moves the machine does not allow, and unknown orders, without writing anything", async () => {
    const id = await placeOrder();
    const skip = await h.execute(MOVE, { id, status: "READY" }, staff);
    expect(skip.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.status",
      reason: "INVALID_STATUS_TRANSITION",
      from: "PLACED",
      to: "READY",
    });
    expect(
      errorCodes(
        (await h.execute(MOVE, { id: "b1000000-0000-4000-8000-0000000000ff", status: "PREPARING" }, staff)).errors,
      ),
    ).toEqual(["NOT_FOUND"]);
    expect(errorCodes((await h.execute(MOVE, { id: "not-an-id", status: "PREPARING" }, staff)).errors)).toEqual([
      "NOT_FOUND",
    ]);
    expect(await h.db.orderStatusChange.count({ where: { orderId: id } })).toBe(1);
    const cancelled = await h.execute<Moved>(MOVE, { id, status: "CANCELLED" }, staff);
    expect(cancelled.data?.updateOrderStatus.order.statusHistory.map((c) => c.to)).toEqual(["PLACED", "CANCELLED"]);
    expect(errorCodes((await h.execute(MOVE, { id, status: "PREPARING" }, staff)).errors)).toEqual(["BAD_USER_INPUT"]);
  });

  it("lets exactly one of many racing moves win (conditional update), with one history row", async () => {
    const id = await placeOrder();
    const racing = await Promise.all(
      Array.from({ length: 20 }, () => h.execute<Moved>(MOVE, { id, status: "PREPARING" }, staff)),
    );
    expect(racing.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(racing.flatMap((r) => errorCodes(r.errors)).every((code) => code === "BAD_USER_INPUT")).toBe(true);
    expect(await h.db.orderStatusChange.count({ where: { orderId: id } })).toBe(2);
  });
});

describe("outbox relay", () => {
  async function complete(id: string): Promise<void> {
    for (const status of ["PREPARING", "READY", "COMPLETED"]) await h.execute(MOVE, { id, status }, staff);
  }

  it("keeps events in the outbox while Redis is unreachable, then publishes each once it is back", async () => {
    await complete(await placeOrder("a"));
    await complete(await placeOrder("b"));
    const logger = createLogger("relay-test", "silent");
    const down = new Redis({
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    const failing = startOutboxRelay({ db: h.db, redis: down, logger, intervalMs: 60_000 });
    await expect(failing.flush()).rejects.toThrow();
    await failing.stop();
    down.disconnect();
    // Per order: placed, three moves, completed.
    expect(await h.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(10);

    const relay = startOutboxRelay({ db: h.db, redis, logger, intervalMs: 60_000 });
    await relay.flush();
    await relay.stop();
    expect(await h.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0);
    const entries = await redis.xrange(ORDER_EVENTS_STREAM, "-", "+");
    expect(entries).toHaveLength(10);
    const fields = Object.fromEntries(
      (entries[0]?.[1] ?? []).reduce<[string, string][]>(
        (pairs, value, i, all) => (i % 2 === 0 ? [...pairs, [value, all[i + 1] as string]] : pairs),
        [],
      ),
    );
    expect(fields).toMatchObject({ type: "order.status_changed" });
    expect(JSON.parse(fields.payload ?? "{}")).toMatchObject({ version: 1, customerId: CUSTOMER_ID });
  });

  it("prunes published events past the retention period in batches, keeping recent and unpublished ones", async () => {
    const hour = 3_600_000;
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * hour);
    const event = (n: number, publishedAt: Date | null) => ({
      type: "order.completed",
      aggregateId: CUSTOMER_ID,
      payload: { n },
      publishedAt,
    });
    await h.db.outboxEvent.createMany({
      data: [
        ...Array.from({ length: 7 }, (_, n) => event(n, at(48 + n))),
        event(7, at(1)),
        event(8, null),
        { ...event(9, null), createdAt: at(100) },
      ],
    });
    const logger = createLogger("relay-test", "silent");
    // Redis is not needed to prune; a relay whose flushes fail still prunes.
    const down = new Redis({
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    const relay = startOutboxRelay({
      db: h.db,
      redis: down,
      logger,
      intervalMs: 60_000,
      retentionMs: 24 * hour,
      pruneBatchSize: 3,
    });
    expect(await relay.prune()).toBe(7);
    expect(await relay.prune()).toBe(0);
    await relay.stop();
    down.disconnect();
    const left = await h.db.outboxEvent.findMany({ orderBy: { id: "asc" } });
    expect(left.map((e) => (e.payload as { n: number }).n)).toEqual([7, 8, 9]);
  });

  it("publishes on stop what was written since its last flush", async () => {
    const logger = createLogger("relay-test", "silent");
    const relay = startOutboxRelay({ db: h.db, redis, logger, intervalMs: 60_000 });
    await relay.flush();
    // The harness does not nudge this relay, and its next poll is a minute away: only stop() can publish this one.
    await complete(await placeOrder("late"));
    // Placed, three moves, completed.
    expect(await h.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(5);
    await relay.stop();
    expect(await h.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0);
    expect(await redis.xlen(ORDER_EVENTS_STREAM)).toBe(5);
  });

  it("publishes every event exactly once from two relays running at the same time", async () => {
    for (let i = 0; i < 6; i += 1) await complete(await placeOrder(`k${i}`));
    const logger = createLogger("relay-test", "silent");
    const relays = [1, 2].map(() => startOutboxRelay({ db: h.db, redis, logger, intervalMs: 60_000, batchSize: 1 }));
    await Promise.all(relays.map((relay) => relay.flush()));
    await Promise.all(relays.map((relay) => relay.stop()));
    expect(await redis.xlen(ORDER_EVENTS_STREAM)).toBe(6 * 5);
    expect(await h.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0);
  });
});
