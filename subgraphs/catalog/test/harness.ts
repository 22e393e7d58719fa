import { accessToken, startInProcess, type OperationResult } from "@commerce/testing/subgraph";
import { connectRedis, createRedisCache, redisReady } from "@commerce/cache";
import { createLogger } from "@commerce/common";
import { createDb, type Db } from "@commerce/db";
import { createQueryCounter, truncateAll } from "@commerce/testing";
import { loadConfig } from "../src/config.js";
import { subgraph, type CatalogDeps } from "../src/server.js";

export type Result<T> = OperationResult<T>;

/** A catalog server over the real test Postgres and Redis, with SQL statements counted. */
export interface Harness {
  /** Counts every SQL statement the server's client sends. */
  queries: ReturnType<typeof createQueryCounter>;
  /** A second client for fixtures and checks, so they never count as the server's queries. */
  db: Db;
  /** Runs an operation in a fresh request (fresh loaders), optionally with a bearer token. */
  execute<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<Result<T>>;
  /** Empties the catalog tables and Redis. */
  reset(): Promise<void>;
  redisKeys(pattern: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startHarness({
  databaseUrl,
  redisUrl,
}: {
  databaseUrl: string;
  redisUrl: string;
}): Promise<Harness> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NODE_ENV: "test", LOG_LEVEL: "silent" });
  const queries = createQueryCounter();
  const serverDb = createDb(databaseUrl, { onQuery: queries.record });
  const db = createDb(databaseUrl);
  const redis = connectRedis(redisUrl, "catalog-test");
  await redisReady(redis);
  const deps: CatalogDeps = {
    db: serverDb,
    cache: createRedisCache(redis),
    logger: createLogger("catalog", config.logLevel),
    config,
  };
  const served = await startInProcess(subgraph, deps);
  return {
    queries,
    db,
    execute: (query, variables = {}, token) =>
      served.execute(query, variables, token ? { authorization: `Bearer ${token}` } : {}),
    async reset() {
      await truncateAll(databaseUrl, ["catalog"]);
      await redis.flushdb();
      queries.reset();
    },
    redisKeys: (pattern) => redis.keys(pattern),
    async stop() {
      await served.stop();
      await Promise.allSettled([serverDb.$disconnect(), db.$disconnect(), redis.quit()]);
    },
  };
}

/** Access tokens signed with the development secret the test config uses. */
export const tokenFor = accessToken;
