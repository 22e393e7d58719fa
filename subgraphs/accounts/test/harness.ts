import { inject } from "vitest";
import { connectRedis, createRedisCache, redisReady } from "@commerce/cache";
import { createLogger } from "@commerce/common";
import { createDb } from "@commerce/db";
import { createQueryCounter, postGraphQL, type GraphQLResponse } from "@commerce/testing";
import { loadConfig } from "../src/config.js";
import { subgraph, type AccountsDeps } from "../src/server.js";

/** The accounts subgraph over the run's real Postgres and Redis, listening on a free port. */
export interface Harness {
  url: string;
  deps: AccountsDeps;
  redis: ReturnType<typeof connectRedis>;
  /** Counts the SQL statements the service sends. */
  queries: ReturnType<typeof createQueryCounter>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    accessToken?: string,
  ): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const databaseUrl = inject("databaseUrl");
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: inject("redisUrl"),
    NODE_ENV: "test",
    PASSWORD_HASH_COST: "12",
    LOG_LEVEL: "silent",
  });
  const queries = createQueryCounter();
  const redis = connectRedis(inject("redisUrl"), "accounts-test");
  await redisReady(redis);
  const deps: AccountsDeps = {
    db: createDb(databaseUrl, { onQuery: queries.record }),
    cache: createRedisCache(redis),
    logger: createLogger("accounts-test", "silent"),
    config,
  };
  const served = await subgraph.serve(deps, { host: "127.0.0.1", port: 0 });
  return {
    url: served.url,
    deps,
    redis,
    queries,
    gql: (query, variables = {}, accessToken) =>
      postGraphQL(served.url, query, variables, accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    async stop() {
      await served.stop();
      await deps.db.$disconnect();
      await deps.cache.close();
    },
  };
}
