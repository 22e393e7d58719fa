import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEMO_USERS } from "@commerce/db";
import { ORDER_COMPLETED, ORDER_EVENTS_STREAM, orderEventFields } from "@commerce/events";
import { CONSUMER_GROUP, DEAD_LETTER_STREAM } from "@commerce/loyalty";
import { startRedisCluster, type RedisClusterHandle } from "@commerce/stack";
import { defined, postGraphQL } from "@commerce/testing";
import { bearer, logIn, operation, startGraph, type Graph } from "./graph.js";

// The whole graph on a private three-master Redis Cluster (REDIS_CLUSTER=true): every Redis client (the caches, the
// router's APQ and cost budgets, orders' outbox relay, loyalty's consumer) is connectRedis' cluster client.
let dir: string;
let cluster: RedisClusterHandle;
let graph: Graph;
let redis: Cluster;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "graph-cluster-"));
  cluster = await startRedisCluster({ dataDir: dir });
  graph = await startGraph({
    redisCluster: cluster.url,
    routerEnv: { COST_BUDGET: "600", COST_BUDGET_WINDOW_SECONDS: "3600" },
  });
  redis = graph.redis as Cluster;
});
afterAll(async () => {
  await graph?.stop();
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Every key matching `pattern` on every master (KEYS reads one node only). */
const keysOnEachNode = (pattern: string) => Promise.all(redis.nodes("master").map((node) => node.keys(pattern)));

describe("the graph on a Redis Cluster", () => {
  const FAVORITES = `{ me { favorites { id name category { name } } } }`;
  type Favorites = { me: { favorites: { id: string; name: string; category: { name: string } }[] } };

  it("answers from the cluster-backed entity caches, and invalidates a product's keys across slots", async () => {
    const customer = await logIn(graph.url, DEMO_USERS.customer);
    const cold = await postGraphQL<Favorites>(graph.url, FAVORITES, {}, bearer(customer.token));
    expect(cold.errors).toBeUndefined();
    const favorites = defined(cold.data).me.favorites;
    expect(favorites.length).toBeGreaterThan(1);
    // The products and categories were written back one pipeline per slot: they sit on more than one node.
    expect((await keysOnEachNode("catalog:*")).filter((keys) => keys.length > 0).length).toBeGreaterThan(1);

    graph.sql.catalog.reset();
    const warm = await postGraphQL<Favorites>(graph.url, FAVORITES, {}, bearer(customer.token));
    expect(warm.data).toEqual(cold.data);
    // One MGET per slot answered every product and category: the catalog did not ask Postgres.
    expect(graph.sql.catalog.count).toBe(0);

    // updateProduct deletes the product's id and SKU keys, which hash to different slots.
    const staff = await logIn(graph.url, DEMO_USERS.staff);
    const [first] = favorites;
    const renamed = `${first?.name} (renamed)`;
    const update = await postGraphQL(
      graph.url,
      await operation("catalog/UpdateProduct.graphql"),
      { input: { id: first?.id, name: renamed } },
      bearer(staff.token),
    );
    expect(update.errors).toBeUndefined();
    const after = await postGraphQL<Favorites>(graph.url, FAVORITES, {}, bearer(customer.token));
    expect(defined(after.data).me.favorites[0]?.name).toBe(renamed);
  });

  it("registers an automatic persisted query in the cluster and serves it by its hash", async () => {
    const query = "{ categories { name } }";
    const sha256Hash = createHash("sha256").update(query).digest("hex");
    const send = async (body: object) =>
      (
        await fetch(graph.url, {
          method: "POST",
          headers: { "content-type": "application/json", "apollo-require-preflight": "true" },
          body: JSON.stringify(body),
        })
      ).json() as Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }>;
    const extensions = { persistedQuery: { version: 1, sha256Hash } };

    expect((await send({ extensions })).errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    const registered = await send({ query, extensions });
    expect(registered.errors).toBeUndefined();
    // Apollo stores the registration without awaiting it.
    await vi.waitFor(async () => expect(await redis.get(`router:apq:${sha256Hash}`)).toBe(query));
    expect(await send({ extensions })).toEqual({ data: registered.data });
  });

  it("credits loyalty points for a completed order: outbox → stream → consumer group on the cluster", async () => {
    const customer = await logIn(graph.url, DEMO_USERS.customer);
    const staff = await logIn(graph.url, DEMO_USERS.staff);
    const LOYALTY = `{ me { loyalty { balance } } }`;
    const balance = async () =>
      defined(
        (await postGraphQL<{ me: { loyalty: { balance: number } } }>(graph.url, LOYALTY, {}, bearer(customer.token)))
          .data,
      ).me.loyalty.balance;
    const before = await balance();
    const { data: products } = await postGraphQL<{
      products: { edges: { node: { id: string; available: boolean } }[] };
    }>(graph.url, "{ products(first: 10) { edges { node { id available } } } }");
    const product = defined(
      products?.products.edges.find(({ node }) => node.available),
      "an available product",
    ).node;
    const input = { idempotencyKey: "cluster-checkout-1", items: [{ productId: product.id, quantity: 2 }] };
    const placed = await postGraphQL<{ placeOrder: { order: { id: string; pointsToEarn: number } } }>(
      graph.url,
      await operation("orders/PlaceOrder.graphql"),
      { input },
      bearer(customer.token),
    );
    expect(placed.errors).toBeUndefined();
    const order = defined(placed.data, "placeOrder").placeOrder.order;
    expect(order.pointsToEarn).toBeGreaterThan(0);
    for (const status of ["PREPARING", "READY", "COMPLETED"]) {
      const moved = await postGraphQL(
        graph.url,
        await operation("orders/UpdateOrderStatus.graphql"),
        { input: { orderId: order.id, status } },
        bearer(staff.token),
      );
      expect(moved.errors).toBeUndefined();
    }
    await vi.waitFor(async () => expect(await balance()).toBe(before + order.pointsToEarn), {
      timeout: 15_000,
      interval: 50,
    });
    expect(await redis.xlen(ORDER_EVENTS_STREAM)).toBeGreaterThan(0);
  });

  it("dead-letters a malformed event in one MULTI with its XACK: the dead-letter stream shares the events stream's slot", async () => {
    expect(await redis.cluster("KEYSLOT", DEAD_LETTER_STREAM)).toBe(
      await redis.cluster("KEYSLOT", ORDER_EVENTS_STREAM),
    );
    const id = await redis.xadd(
      ORDER_EVENTS_STREAM,
      "*",
      ...orderEventFields({ type: ORDER_COMPLETED, eventId: "malformed-1", aggregateId: "nope", payload: "not json" }),
    );
    await vi.waitFor(async () => expect(await redis.xlen(DEAD_LETTER_STREAM)).toBe(1), {
      timeout: 15_000,
      interval: 50,
    });
    const [[, fields] = ["", []]] = await redis.xrange(DEAD_LETTER_STREAM, "-", "+");
    expect(fields).toEqual(expect.arrayContaining(["originalId", id, "stream", ORDER_EVENTS_STREAM]));
    // Acknowledged in the same transaction: nothing is left pending in the group.
    expect(((await redis.xpending(ORDER_EVENTS_STREAM, CONSUMER_GROUP)) as [number])[0]).toBe(0);
  });

  it("charges per-client cost budgets in the cluster and refuses a client that spent its own", async () => {
    const customer = await logIn(graph.url, DEMO_USERS.customer);
    const staff = await logIn(graph.url, DEMO_USERS.staff);
    const EXPENSIVE = "{ products(first: 5) { edges { node { name rating { average } } } } }";
    let refused: Awaited<ReturnType<typeof postGraphQL>> | undefined;
    for (let i = 0; i < 50 && !refused; i += 1) {
      const response = await postGraphQL(graph.url, EXPENSIVE, {}, bearer(customer.token));
      if (response.status === 429) refused = response;
      else expect(response.errors).toBeUndefined();
    }
    expect(defined(refused, "a refusal").errors?.[0]?.extensions).toMatchObject({
      code: "COST_BUDGET_EXHAUSTED",
      cost: { budget: 600 },
    });
    // The staff member's budget is a counter of its own (its own key, likely on another node).
    expect((await postGraphQL(graph.url, EXPENSIVE, {}, bearer(staff.token))).status).toBe(200);
    const counters = (await keysOnEachNode("router:cost-budget:*")).flat();
    expect(counters).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`user:${customer.userId}:`),
        expect.stringContaining(`user:${staff.userId}:`),
      ]),
    );
  });
});
