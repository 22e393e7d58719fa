import { Redis } from "ioredis";
import { inject } from "vitest";
import { createRedisCache } from "@commerce/cache";
import { createLogger } from "@commerce/common";
import { createDb, seed } from "@commerce/db";
import { serveGraphQL, type Served } from "@commerce/http";
import { createQueryCounter, truncateAll } from "@commerce/testing";
import * as accounts from "@commerce/accounts";
import * as catalog from "@commerce/catalog";
import { loadConfig as loadAccountsConfig } from "../../../subgraphs/accounts/src/config.js";
import { loadConfig as loadCatalogConfig } from "../../../subgraphs/catalog/src/config.js";
import { loadConfig } from "../../src/config.js";
import { createRouter } from "../../src/server.js";

export interface Graph {
  /** The router's GraphQL URL. */
  url: string;
  /** SQL statements sent by each subgraph since the last reset. */
  sql: { accounts: ReturnType<typeof createQueryCounter>; catalog: ReturnType<typeof createQueryCounter> };
  redis: Redis;
  stop(): Promise<void>;
}

/**
 * The whole graph over HTTP: the seeded database, both subgraphs and the router
 * over the committed supergraph (subgraph URLs overridden to the test ports).
 */
export async function startGraph(): Promise<Graph> {
  const databaseUrl = inject("databaseUrl");
  const redisUrl = inject("redisUrl");
  await truncateAll(databaseUrl);
  const redis = new Redis(redisUrl);
  await redis.flushall();
  const seedDb = createDb(databaseUrl, { poolSize: 2 });
  await seed(seedDb, { passwordHashCost: 10 });
  await seedDb.$disconnect();

  const logger = createLogger("e2e", "silent");
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NODE_ENV: "test", PASSWORD_HASH_COST: "10", LOG_LEVEL: "silent" };
  const sql = { accounts: createQueryCounter(), catalog: createQueryCounter() };
  const served: Served[] = [];
  const accountsDeps = {
    db: createDb(databaseUrl, { onQuery: sql.accounts.record }),
    cache: createRedisCache(new Redis(redisUrl)),
    logger,
    config: loadAccountsConfig(env),
  };
  served.push(await serveGraphQL({ apollo: () => accounts.createServer(accountsDeps), context: accounts.createContext(accountsDeps), host: "127.0.0.1", port: 0 }));
  const catalogDeps = {
    db: createDb(databaseUrl, { onQuery: sql.catalog.record }),
    cache: createRedisCache(new Redis(redisUrl)),
    logger,
    config: loadCatalogConfig(env),
  };
  served.push(await serveGraphQL({ apollo: () => catalog.createServer(catalogDeps), context: catalog.createContext(catalogDeps), host: "127.0.0.1", port: 0 }));

  const router = createRouter({
    config: loadConfig({
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "silent",
      SUBGRAPH_ACCOUNTS_URL: served[0]?.url,
      SUBGRAPH_CATALOG_URL: served[1]?.url,
    }),
    logger,
  });
  const routerServed = await serveGraphQL({ ...router, apollo: () => router.apollo, host: "127.0.0.1", port: 0 });
  return {
    url: routerServed.url,
    sql,
    redis,
    async stop() {
      await routerServed.stop();
      await Promise.all(served.map((s) => s.stop()));
      await Promise.all([accountsDeps, catalogDeps].map(async (d) => Promise.all([d.db.$disconnect(), d.cache.close()])));
      redis.disconnect();
    },
  };
}
