import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, inject } from "vitest";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { createTokenSigner, DEV_JWT_SECRET } from "@commerce/auth";
import { connectRedis, redisReady, type RedisClient } from "@commerce/cache";
import { createLogger } from "@commerce/common";
import { ROUTER_SIGNATURE_HEADER, signRouterRequest, type Served } from "@commerce/http";
import { defined } from "@commerce/testing";
import { createOrderFeed, type OrderFeed } from "../src/orderFeed.js";
import { startOutboxRelay, type OutboxRelay } from "../src/outboxRelay.js";
import { subgraph, type OrdersDeps } from "../src/server.js";
import { CUSTOMER_ID, OTHER_CUSTOMER_ID, productId, seedMenu, STAFF_ID } from "./fixtures/menu.js";
import { startHarness, type Harness } from "./harness.js";

const ROUTER_SECRET = "orders-subscriptions-router-secret-0123456789";
const signer = createTokenSigner({ secret: DEV_JWT_SECRET, ttlSeconds: 300 });
const logger = createLogger("orders-subscriptions-test", "silent");

/** One orders instance: its own feed (own Redis connection) and WebSocket, over the shared database and stream. */
interface Instance {
  url: string;
  feed: OrderFeed;
  stop(): Promise<void>;
}

let h: Harness;
let relay: OutboxRelay;
let relayRedis: RedisClient;
const instances: Instance[] = [];
const clients: Client[] = [];

async function startInstance(): Promise<Instance> {
  const redis = connectRedis(inject("redisUrl"), "orders-feed-test", { commandTimeoutMs: 1_500 });
  await redisReady(redis);
  const feed = createOrderFeed({ redis, db: h.deps.db, logger, blockMs: 200 });
  const deps: OrdersDeps = { ...h.deps, config: { ...h.deps.config, routerSecret: ROUTER_SECRET }, orderFeed: feed };
  const served: Served = await subgraph.serve(deps, { host: "127.0.0.1", port: 0 });
  feed.start();
  const instance = {
    url: served.url.replace(/^http/, "ws"),
    feed,
    async stop() {
      await served.stop();
      await feed.stop();
      redis.disconnect();
    },
  };
  instances.push(instance);
  return instance;
}

beforeAll(async () => {
  h = await startHarness({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });
  relayRedis = connectRedis(inject("redisUrl"), "orders-relay-test");
  relay = startOutboxRelay({ db: h.db, redis: relayRedis, logger, intervalMs: 20 });
});
afterAll(async () => {
  await relay?.stop();
  relayRedis?.disconnect();
  await h?.stop();
});
beforeEach(async () => seedMenu(h.db));
afterEach(async () => {
  for (const client of clients.splice(0)) await client.dispose();
  for (const instance of instances.splice(0)) await instance.stop();
  await h.reset();
});

/** Connects as the router does: signed connection, the caller's token in each subscription's extensions. */
function routerClient(url: string): Client {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: () => ({ [ROUTER_SIGNATURE_HEADER]: signRouterRequest(ROUTER_SECRET) }),
  });
  clients.push(client);
  return client;
}

interface Event {
  data?: { orderUpdated?: OrderView; kitchenQueue?: OrderView } | null;
  errors?: readonly { extensions?: Record<string, unknown> }[];
  extensions?: { resumeCursor?: string };
}
interface OrderView {
  id: string;
  status: string;
  items: { quantity: number }[];
  statusHistory: { to: string }[];
}

/** Subscribes `as` a user and collects what arrives. */
async function subscribe(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  as: { userId: string; scopes?: string[] },
  resume?: object,
) {
  const authorization = `Bearer ${await signer.sign(as.userId, as.scopes ?? [])}`;
  const events: Event[] = [];
  let ended: unknown = false;
  const unsubscribe = client.subscribe<Event["data"], Event["extensions"]>(
    { query, variables, extensions: { headers: { authorization }, ...(resume ? { resume } : {}) } },
    {
      next: (event) => void events.push(event as Event),
      error: (error) => void (ended = error),
      complete: () => void (ended = true),
    },
  );
  const until = async (check: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ events, ended })}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { events, unsubscribe, until, ended: () => ended };
}

const ORDER_UPDATED =
  "subscription($id: ID!) { orderUpdated(id: $id) { id status items { quantity } statusHistory { to } } }";
const KITCHEN = "subscription { kitchenQueue { id status } }";
const MOVE =
  "mutation($id: ID!, $status: OrderStatus!) { updateOrderStatus(input: { orderId: $id, status: $status }) { order { status } } }";
const staff = { userId: STAFF_ID, scopes: ["orders:manage"] };

/** Places an order and waits until the relay published its event (so that a feed started later never sees it). */
async function placeOrder(key = "subscriptions-test"): Promise<string> {
  const result = await h.execute<{ placeOrder: { order: { id: string } } }>(
    "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } } }",
    { input: { idempotencyKey: key, items: [{ productId: productId(1), quantity: 2 }] } },
    { userId: CUSTOMER_ID },
  );
  const deadline = Date.now() + 5_000;
  while ((await h.db.outboxEvent.count({ where: { publishedAt: null } })) > 0) {
    if (Date.now() > deadline) throw new Error("the relay did not publish the placement");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return defined(result.data?.placeOrder.order.id, "order id");
}

async function move(id: string, ...statuses: string[]): Promise<void> {
  for (const status of statuses) expect((await h.execute(MOVE, { id, status }, staff)).errors).toBeUndefined();
}

/** Waits until every instance's feed holds `count` subscriptions. */
async function listening(count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (instances.some((instance) => instance.feed.subscriptions !== count)) {
    if (Date.now() > deadline) throw new Error(`expected ${count} subscriptions on each instance`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("order subscriptions", () => {
  it("streams each status change of an order to its customer and to staff, as of that change, on every instance", async () => {
    const id = await placeOrder();
    const [first, second] = [await startInstance(), await startInstance()];
    const customer = await subscribe(routerClient(first.url), ORDER_UPDATED, { id }, { userId: CUSTOMER_ID });
    const kitchen = await subscribe(routerClient(second.url), KITCHEN, {}, staff);
    await listening(1);
    await move(id, "PREPARING", "READY", "COMPLETED");
    await customer.until(() => customer.events.length === 3, "three order updates");
    await kitchen.until(() => kitchen.events.length === 3, "three kitchen events");
    expect(customer.events.map((e) => e.data?.orderUpdated)).toEqual([
      { id, status: "PREPARING", items: [{ quantity: 2 }], statusHistory: expect.any(Array) },
      { id, status: "READY", items: [{ quantity: 2 }], statusHistory: expect.any(Array) },
      { id, status: "COMPLETED", items: [{ quantity: 2 }], statusHistory: expect.any(Array) },
    ]);
    // Each event reads the history afresh (no loader cache carried over from the previous event).
    expect(customer.events.at(-1)?.data?.orderUpdated?.statusHistory.map((c) => c.to)).toEqual([
      "PLACED",
      "PREPARING",
      "READY",
      "COMPLETED",
    ]);
    expect(kitchen.events.map((e) => e.data?.kitchenQueue?.status)).toEqual(["PREPARING", "READY", "COMPLETED"]);
    expect(customer.events.every((e) => typeof e.extensions?.resumeCursor === "string")).toBe(true);
  });

  it("puts a newly placed order in the kitchen queue", async () => {
    const { url } = await startInstance();
    const kitchen = await subscribe(routerClient(url), KITCHEN, {}, staff);
    await listening(1);
    const id = await placeOrder("placed");
    await kitchen.until(() => kitchen.events.length === 1, "the new order");
    expect(kitchen.events[0]?.data?.kitchenQueue).toEqual({ id, status: "PLACED" });
  });

  it("refuses another customer's order and an unknown one with NOT_FOUND, the kitchen queue without the staff scope with FORBIDDEN", async () => {
    const id = await placeOrder();
    const { url } = await startInstance();
    const client = routerClient(url);
    const other = await subscribe(client, ORDER_UPDATED, { id }, { userId: OTHER_CUSTOMER_ID });
    const unknown = await subscribe(
      client,
      ORDER_UPDATED,
      { id: "b1000000-0000-4000-8000-0000000000ff" },
      { userId: CUSTOMER_ID },
    );
    const kitchen = await subscribe(client, KITCHEN, {}, { userId: CUSTOMER_ID });
    for (const refused of [other, unknown, kitchen]) await refused.until(() => refused.ended() === true, "the refusal");
    expect(other.events.map((e) => e.errors?.map((error) => error.extensions?.code))).toEqual([["NOT_FOUND"]]);
    expect(unknown.events.map((e) => e.errors?.map((error) => error.extensions?.code))).toEqual([["NOT_FOUND"]]);
    expect(kitchen.events.map((e) => e.errors?.map((error) => error.extensions?.code))).toEqual([["FORBIDDEN"]]);
    const staffView = await subscribe(client, ORDER_UPDATED, { id }, staff);
    await listening(1);
    expect(staffView.ended()).toBe(false);
  });

  it("replays the changes after a resume cursor, then goes on live, in order", async () => {
    const id = await placeOrder();
    const { url } = await startInstance();
    const client = routerClient(url);
    const before = await subscribe(client, ORDER_UPDATED, { id }, { userId: CUSTOMER_ID });
    await listening(1);
    await move(id, "PREPARING");
    await before.until(() => before.events.length === 1, "the first change");
    const cursor = defined(before.events[0]?.extensions?.resumeCursor, "cursor");
    before.unsubscribe();
    await listening(0);
    await move(id, "READY");
    const resumed = await subscribe(client, ORDER_UPDATED, { id }, { userId: CUSTOMER_ID }, { after: cursor });
    await resumed.until(() => resumed.events.length === 1, "the missed change");
    await move(id, "COMPLETED");
    await resumed.until(() => resumed.events.length === 2, "the live change");
    expect(resumed.events.map((e) => e.data?.orderUpdated?.status)).toEqual(["READY", "COMPLETED"]);
  });

  it("refuses a WebSocket that is not signed by the router", async () => {
    const { url } = await startInstance();
    // Not lazy: it connects at once (its failure is awaited below rather than reported by the client).
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
    });
    clients.push(client);
    const closed = await new Promise<{ code: number }>((resolve) =>
      client.on("closed", (event) => resolve(event as { code: number })),
    );
    expect(closed.code).toBe(4403);
  });
});
