import type { ApolloServer } from "@apollo/server";
import { createTokenSigner, DEV_JWT_SECRET } from "@commerce/auth";
import { catalogClientFor } from "@commerce/subgraph";
import { connectRedis, createRedisCache, redisReady } from "@commerce/cache";
import { createLogger } from "@commerce/common";
import { createDb, type Db } from "@commerce/db";
import { serveGraphQL, type Served } from "@commerce/http";
import { createQueryCounter, truncateAll } from "@commerce/testing";
import * as catalog from "@commerce/catalog";
import type { GraphQLFormattedError } from "graphql";
import { loadConfig as loadCatalogConfig } from "../../catalog/src/config.js";
import { loadConfig } from "../src/config.js";
import { createContext, createServer, type Context, type OrdersDeps } from "../src/server.js";

export interface Result<T> {
  data?: T | null;
  errors?: readonly GraphQLFormattedError[];
}

/** An orders server (in process) over the real test Postgres, pricing against a real catalog subgraph over HTTP. */
export interface Harness {
  server: ApolloServer<Context>;
  deps: OrdersDeps;
  /** SQL statements of the orders server's client. */
  queries: ReturnType<typeof createQueryCounter>;
  /** A separate client for fixtures and checks. */
  db: Db;
  catalogUrl: string;
  /** Runs an operation in a fresh request (fresh loaders) as `userId` with `scopes`, or anonymously. */
  execute<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: { userId: string; scopes?: string[] }): Promise<Result<T>>;
  /** Empties the orders and catalog tables and Redis. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const signer = createTokenSigner({ secret: DEV_JWT_SECRET, ttlSeconds: 300 });

export async function startHarness({ databaseUrl, redisUrl }: { databaseUrl: string; redisUrl: string }): Promise<Harness> {
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NODE_ENV: "test", LOG_LEVEL: "silent" };
  const logger = createLogger("orders-test", "silent");
  const redis = connectRedis(redisUrl, "orders-test");
  await redisReady(redis);
  const catalogDeps = { db: createDb(databaseUrl, { poolSize: 2 }), cache: createRedisCache(redis), logger, config: loadCatalogConfig(env) };
  const catalogServed: Served = await serveGraphQL({ apollo: () => catalog.createServer(catalogDeps), context: catalog.createContext(catalogDeps), host: "127.0.0.1", port: 0 });
  const config = loadConfig({ ...env, SUBGRAPH_CATALOG_URL: catalogServed.url });
  const queries = createQueryCounter();
  const deps: OrdersDeps = {
    db: createDb(databaseUrl, { onQuery: queries.record, poolSize: 20 }),
    logger,
    config,
    catalog: catalogClientFor(config),
  };
  const server = createServer(deps);
  await server.start();
  const context = createContext(deps);
  const db = createDb(databaseUrl, { poolSize: 2 });
  return {
    server,
    deps,
    queries,
    db,
    catalogUrl: catalogServed.url,
    async execute<T>(query: string, variables: Record<string, unknown> = {}, as?: { userId: string; scopes?: string[] }): Promise<Result<T>> {
      const headers: Record<string, string> = as ? { authorization: `Bearer ${await signer.sign(as.userId, as.scopes ?? ["profile"])}` } : {};
      const response = await server.executeOperation<T>({ query, variables }, { contextValue: await context({ headers }) });
      if (response.body.kind !== "single") throw new Error("expected a single result");
      return response.body.singleResult;
    },
    async reset() {
      await truncateAll(databaseUrl, ["orders", "catalog"]);
      await redis.flushdb();
      queries.reset();
    },
    async stop() {
      await server.stop();
      await catalogServed.stop();
      await Promise.allSettled([deps.db.$disconnect(), db.$disconnect(), catalogDeps.db.$disconnect(), redis.quit()]);
    },
  };
}
