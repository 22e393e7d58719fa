import { catalogClientFor } from "@commerce/subgraph";
import { connectRedis, createRedisCache, redisReady } from "@commerce/cache";
import { createLogger } from "@commerce/common";
import { createDb, type Db } from "@commerce/db";
import type { Served } from "@commerce/http";
import { createQueryCounter, truncateAll } from "@commerce/testing";
import * as catalog from "@commerce/catalog";
import { startInProcess, type InProcessSubgraph, type OperationResult } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";
import { subgraph, type Context, type OrdersDeps } from "../src/server.js";

export type Result<T> = OperationResult<T>;

/** An orders server (in process) over the real test Postgres, pricing against a real catalog subgraph over HTTP. */
export interface Harness {
  deps: OrdersDeps;
  /** SQL statements of the orders server's client. */
  queries: ReturnType<typeof createQueryCounter>;
  /** A separate client for fixtures and checks. */
  db: Db;
  catalogUrl: string;
  /** Runs an operation in a fresh request (fresh loaders) as `userId` with `scopes`, or anonymously. */
  execute: InProcessSubgraph<Context>["executeAs"];
  /** Empties the orders and catalog tables and Redis. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness({
  databaseUrl,
  redisUrl,
}: {
  databaseUrl: string;
  redisUrl: string;
}): Promise<Harness> {
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NODE_ENV: "test", LOG_LEVEL: "silent" };
  const logger = createLogger("orders-test", "silent");
  const redis = connectRedis(redisUrl, "orders-test");
  await redisReady(redis);
  const catalogDeps = {
    db: createDb(databaseUrl, { poolSize: 2 }),
    cache: createRedisCache(redis),
    logger,
    config: catalog.subgraph.loadConfig(env),
  };
  const catalogServed: Served = await catalog.subgraph.serve(catalogDeps, { host: "127.0.0.1", port: 0 });
  const config = loadConfig({ ...env, SUBGRAPH_CATALOG_URL: catalogServed.url });
  const queries = createQueryCounter();
  const deps: OrdersDeps = {
    db: createDb(databaseUrl, { onQuery: queries.record, poolSize: 20 }),
    logger,
    config,
    catalog: catalogClientFor(config),
  };
  const served = await startInProcess(subgraph, deps);
  const db = createDb(databaseUrl, { poolSize: 2 });
  return {
    deps,
    queries,
    db,
    catalogUrl: catalogServed.url,
    execute: served.executeAs,
    async reset() {
      await truncateAll(databaseUrl, ["orders", "catalog"]);
      await redis.flushdb();
      queries.reset();
    },
    async stop() {
      await served.stop();
      await catalogServed.stop();
      await Promise.allSettled([deps.db.$disconnect(), db.$disconnect(), catalogDeps.db.$disconnect(), redis.quit()]);
    },
  };
}
