import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { inject } from "vitest";
import { connectRedis, createRedisCache, redisReady, type RedisClient } from "@commerce/cache";
import { createLogger } from "@commerce/common";
import { createDb, poolStats, seed, SEED_PASSWORD } from "@commerce/db";
import { serveGraphQL, type Served } from "@commerce/http";
import { generatedServiceKeys, serviceIdentityEnv } from "@commerce/start";
import { catalogClientFor } from "@commerce/subgraph";
import { subgraphTelemetry } from "@commerce/telemetry";
import { createQueryCounter, defined, postGraphQL, truncateAll } from "@commerce/testing";
import * as accounts from "@commerce/accounts";
import * as catalog from "@commerce/catalog";
import * as loyalty from "@commerce/loyalty";
import * as orders from "@commerce/orders";
import * as reviews from "@commerce/reviews";
import { loadConfig } from "../../src/config.js";
import { createRouter } from "../../src/server.js";

/** Logs a demo user in through the router; resolves with the access token and the user's id. */
export async function logIn(graphUrl: string, email: string): Promise<{ token: string; userId: string }> {
  const response = await postGraphQL<{ logIn: { accessToken: string; user: { id: string } } }>(
    graphUrl,
    `mutation($email: String!, $password: String!) { logIn(input: { email: $email, password: $password }) { accessToken user { id } } }`,
    { email, password: SEED_PASSWORD },
  );
  const session = defined(response.data?.logIn, "logIn");
  return { token: session.accessToken, userId: session.user.id };
}

/** The `authorization` header of a caller with this access token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A client operation from operations/, the frontends' contract. */
export const operation = (path: string) => readFile(new URL(`../../../operations/${path}`, import.meta.url), "utf8");

/** Polls until `condition` holds (events are processed asynchronously); fails after 15 s. */
export async function eventually<T>(
  read: () => Promise<T>,
  condition: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (condition(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The secret the router signs subgraph requests with; accounts and catalog refuse anything unsigned. */
export const E2E_ROUTER_SECRET = "e2e-router-secret-0123456789abcdef0123";

export interface Graph {
  /** The router's GraphQL URL. */
  url: string;
  /** SQL statements sent by each subgraph since the last reset. */
  sql: Record<"accounts" | "catalog" | "orders" | "loyalty" | "reviews", ReturnType<typeof createQueryCounter>>;
  redis: RedisClient;
  /** Each subgraph's GraphQL URL (its /metrics and /ready are beside it). */
  subgraphUrls: Record<string, string>;
  /** Subscriptions the orders subgraph's order feed holds now (the router opened them upstream). */
  orderSubscriptions(): number;
  stop(): Promise<void>;
}

/**
 * The whole graph over HTTP: the seeded database, both subgraphs and the router
 * over the committed supergraph (subgraph URLs overridden to the test ports).
 */
/** Empties every domain's tables and Redis, then seeds the demo data; returns a client of that Redis. */
export async function seedGraphData(databaseUrl: string, redisUrl: string): Promise<Redis> {
  const redis = new Redis(redisUrl);
  await redis.flushall();
  await seedGraphDatabase(databaseUrl);
  return redis;
}

async function seedGraphDatabase(databaseUrl: string): Promise<void> {
  await truncateAll(databaseUrl, ["accounts", "catalog", "orders", "loyalty", "reviews"]);
  const seedDb = createDb(databaseUrl, { poolSize: 2 });
  await seed(seedDb, { passwordHashCost: 10 });
  await seedDb.$disconnect();
}

export interface StartGraphOptions {
  routerEnv?: Record<string, string>;
  /** A fresh Redis Cluster (a seed node's URL) instead of the run's Redis: every client is connectRedis' cluster client. */
  redisCluster?: string;
}

export async function startGraph({ routerEnv = {}, redisCluster }: StartGraphOptions = {}): Promise<Graph> {
  const databaseUrl = inject("databaseUrl");
  const redisUrl = redisCluster ?? inject("redisUrl");
  // The cluster client has no offline queue: wait until it knows the slots before using it.
  const connect = async (name: string): Promise<RedisClient> => {
    if (redisCluster === undefined) return new Redis(redisUrl);
    const client = connectRedis(redisCluster, name, { cluster: true, commandTimeoutMs: 5000 });
    await redisReady(client);
    return client;
  };
  let redis: RedisClient;
  if (redisCluster === undefined) redis = await seedGraphData(databaseUrl, redisUrl);
  else [redis] = await Promise.all([connect("e2e"), seedGraphDatabase(databaseUrl)]);

  const logger = createLogger("e2e", "silent");
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_CLUSTER: String(redisCluster !== undefined),
    NODE_ENV: "test",
    PASSWORD_HASH_COST: "10",
    LOG_LEVEL: "silent",
    ROUTER_SECRET: E2E_ROUTER_SECRET,
  };
  // orders and reviews read the catalog under their own identities, as deployed.
  const identities = serviceIdentityEnv(generatedServiceKeys());
  const sql = {
    accounts: createQueryCounter(),
    catalog: createQueryCounter(),
    orders: createQueryCounter(),
    loyalty: createQueryCounter(),
    reviews: createQueryCounter(),
  };
  const served: Served[] = [];
  const local = { host: "127.0.0.1", port: 0 };
  // Each subgraph with its telemetry, as its src/index.ts wires it (tracing is per process: tests start it).
  const withTelemetry = <D extends { db: ReturnType<typeof createDb>; cache: ReturnType<typeof createRedisCache> }>(
    service: string,
    deps: D,
  ) => ({
    ...deps,
    telemetry: subgraphTelemetry({
      service,
      logger,
      db: deps.db,
      cache: deps.cache,
      poolStats: () => poolStats(deps.db),
    }),
  });
  const accountsDeps = withTelemetry("accounts", {
    db: createDb(databaseUrl, { onQuery: sql.accounts.record }),
    cache: createRedisCache(await connect("e2e-cache")),
    logger,
    config: accounts.subgraph.loadConfig(env),
  });
  served.push(await accounts.subgraph.serve(accountsDeps, local));
  const catalogDeps = withTelemetry("catalog", {
    db: createDb(databaseUrl, { onQuery: sql.catalog.record }),
    cache: createRedisCache(await connect("e2e-cache")),
    logger,
    config: catalog.subgraph.loadConfig({ ...env, ...identities.catalog }),
  });
  served.push(await catalog.subgraph.serve(catalogDeps, local));

  // orders (pricing against the catalog above, its outbox relayed to Redis), loyalty (consuming the order events), reviews.
  const ordersDb = createDb(databaseUrl, { onQuery: sql.orders.record });
  // The relay polls on its own client, so its statements never count as the orders subgraph's.
  const relayDb = createDb(databaseUrl, { poolSize: 2 });
  const relayRedis = await connect("e2e-relay");
  const relay = orders.startOutboxRelay({ db: relayDb, redis: relayRedis, logger, intervalMs: 50 });
  const feedRedis = await connect("e2e-feed");
  const ordersConfig = orders.subgraph.loadConfig({
    ...env,
    ...identities.orders,
    SUBGRAPH_CATALOG_URL: served[1]?.url,
  });
  const ordersDeps = withTelemetry("orders", {
    db: ordersDb,
    // orders, loyalty and reviews cache nothing: their Redis cache answers /ready's check.
    cache: createRedisCache(await connect("e2e-cache")),
    logger,
    config: ordersConfig,
    catalog: catalogClientFor(ordersConfig),
    outboxWritten: () => relay.nudge(),
    // Subscriptions: the order feed on its own connection (it blocks in XREAD), reading with the relay's client.
    orderFeed: orders.createOrderFeed({ redis: feedRedis, db: relayDb, logger, blockMs: 200 }),
  });
  ordersDeps.orderFeed.start();
  served.push(await orders.subgraph.serve(ordersDeps, local));
  const loyaltyDeps = withTelemetry("loyalty", {
    db: createDb(databaseUrl, { onQuery: sql.loyalty.record }),
    cache: createRedisCache(await connect("e2e-cache")),
    logger,
    config: loyalty.subgraph.loadConfig(env),
  });
  const consumerRedis = await connect("e2e-consumer");
  const consumer = await loyalty.startOrderEventsConsumer({
    db: loyaltyDeps.db,
    redis: consumerRedis,
    logger,
    consumer: "e2e",
    blockMs: 50,
    claimIdleMs: 1000,
  });
  served.push(await loyalty.subgraph.serve(loyaltyDeps, local));
  const reviewsConfig = reviews.subgraph.loadConfig({
    ...env,
    ...identities.reviews,
    SUBGRAPH_CATALOG_URL: served[1]?.url,
  });
  const reviewsDeps = withTelemetry("reviews", {
    db: createDb(databaseUrl, { onQuery: sql.reviews.record }),
    cache: createRedisCache(await connect("e2e-cache")),
    logger,
    config: reviewsConfig,
    catalog: catalogClientFor(reviewsConfig),
  });
  served.push(await reviews.subgraph.serve(reviewsDeps, local));

  const router = createRouter({
    config: loadConfig({
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "silent",
      SUBGRAPH_ACCOUNTS_URL: served[0]?.url,
      SUBGRAPH_CATALOG_URL: served[1]?.url,
      SUBGRAPH_ORDERS_URL: served[2]?.url,
      SUBGRAPH_LOYALTY_URL: served[3]?.url,
      SUBGRAPH_REVIEWS_URL: served[4]?.url,
      ROUTER_SECRET: E2E_ROUTER_SECRET,
      REDIS_URL: redisUrl,
      REDIS_CLUSTER: String(redisCluster !== undefined),
      ...routerEnv,
    }),
    logger,
    // APQ and cost budgets in the real Redis.
    redis,
  });
  const routerServed = await serveGraphQL({ ...router, apollo: () => router.apollo, host: "127.0.0.1", port: 0 });
  return {
    url: routerServed.url,
    sql,
    redis,
    subgraphUrls: {
      accounts: served[0]?.url ?? "",
      catalog: served[1]?.url ?? "",
      orders: served[2]?.url ?? "",
      loyalty: served[3]?.url ?? "",
      reviews: served[4]?.url ?? "",
    },
    orderSubscriptions: () => ordersDeps.orderFeed.subscriptions,
    async stop() {
      await routerServed.stop();
      await ordersDeps.orderFeed.stop();
      await Promise.all(served.map((s) => s.stop()));
      await Promise.all([relay.stop(), consumer.stop()]);
      consumerRedis.disconnect();
      relayRedis.disconnect();
      feedRedis.disconnect();
      await relayDb.$disconnect();
      await Promise.all(
        [accountsDeps, catalogDeps, ordersDeps, loyaltyDeps, reviewsDeps].map(async (d) =>
          Promise.all([d.db.$disconnect(), d.cache.close()]),
        ),
      );
      redis.disconnect();
    },
  };
}
