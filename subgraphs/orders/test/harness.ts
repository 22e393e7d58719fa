import { catalogClientFor } from "@commerce/subgraph";
import { connectRedis, createRedisCache, redisReady } from "@commerce/cache";
import { createLogger } from "@commerce/common";
import { createDb, type Db } from "@commerce/db";
import type { Served } from "@commerce/http";
import { generatedServiceKeys, serviceIdentityEnv } from "@commerce/start";
import { subgraphTelemetry } from "@commerce/telemetry";
import { createQueryCounter, truncateAll } from "@commerce/testing";
import * as catalog from "@commerce/catalog";
import { startInProcess, type InProcessSubgraph, type OperationResult } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";
import type { Context } from "../src/context.js";
import { subgraph, type OrdersDeps } from "../src/server.js";

export type Result<T> = OperationResult<T>;

/** The secret the harness's catalog checks the router's requests with. */
export const HARNESS_ROUTER_SECRET = "orders-harness-router-secret-0123456789abcdef";

/**
 * An orders server (in process) over the real test Postgres, pricing against a real catalog subgraph over HTTP,
 * which is guarded as deployed: it answers the router and the services its TRUSTED_SERVICES names, and orders calls
 * it under its own identity (SERVICE_SECRET).
 */
export interface Harness {
  deps: OrdersDeps;
  /** SQL statements of the orders server's client. */
  queries: ReturnType<typeof createQueryCounter>;
  /** A separate client for fixtures and checks. */
  db: Db;
  catalogUrl: string;
  /** The keys orders and reviews sign with, by service. */
  serviceKeys: Record<string, string>;
  /** The catalog's log lines (with `catalogTelemetry`, one per operation, naming the caller). */
  catalogLines: Record<string, unknown>[];
  /** Runs an operation in a fresh request (fresh loaders) as `userId` with `scopes`, or anonymously. */
  execute: InProcessSubgraph<Context>["executeAs"];
  /** Empties the orders and catalog tables and Redis. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness({
  databaseUrl,
  redisUrl,
  catalogTrustsOrders = true,
  catalogTelemetry = false,
}: {
  databaseUrl: string;
  redisUrl: string;
  /** false: the catalog trusts reviews only, so it refuses orders. @default true */
  catalogTrustsOrders?: boolean;
  /** Runs the catalog with its telemetry, logging each operation into `catalogLines`. @default false */
  catalogTelemetry?: boolean;
}): Promise<Harness> {
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NODE_ENV: "test", LOG_LEVEL: "silent" };
  const logger = createLogger("orders-test", "silent");
  const redis = connectRedis(redisUrl, "orders-test");
  await redisReady(redis);
  const serviceKeys = generatedServiceKeys();
  const identities = serviceIdentityEnv(catalogTrustsOrders ? serviceKeys : { reviews: serviceKeys.reviews ?? "" });
  const catalogLines: Record<string, unknown>[] = [];
  const catalogLogger = createLogger("catalog", "info", {
    write: (line: string) => void catalogLines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const catalogDb = createDb(databaseUrl, { poolSize: 2 });
  const catalogCache = createRedisCache(redis);
  const catalogDeps = {
    db: catalogDb,
    cache: catalogCache,
    logger: catalogLogger,
    config: catalog.subgraph.loadConfig({ ...env, ROUTER_SECRET: HARNESS_ROUTER_SECRET, ...identities.catalog }),
    telemetry: catalogTelemetry
      ? subgraphTelemetry({ service: "catalog", logger: catalogLogger, db: catalogDb, cache: catalogCache })
      : undefined,
  };
  const catalogServed: Served = await catalog.subgraph.serve(catalogDeps, { host: "127.0.0.1", port: 0 });
  const config = loadConfig({
    ...env,
    SERVICE_SECRET: serviceKeys.orders,
    SUBGRAPH_CATALOG_URL: catalogServed.url,
  });
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
    serviceKeys,
    catalogLines,
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
