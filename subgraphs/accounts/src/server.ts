import type { Cache } from "@commerce/cache";
import { defineSubgraph, type SubgraphDeps } from "@commerce/subgraph";
import { loadConfig, SERVICE_NAME, type Config } from "./config.js";
import { requestContext } from "./context.js";
import { permissions } from "./permissions.js";
import { resolvers } from "./resolvers/index.js";

export type { Context } from "./context.js";

/** What the accounts service runs on; the entry point builds it, tests pass their own. */
export interface AccountsDeps extends SubgraphDeps<Config> {
  /** Users by id (Redis, shared between instances, or in process without REDIS_URL). */
  cache: Cache;
}

/** The accounts subgraph: src/index.ts runs it; tests build its server with their own deps. */
export const subgraph = defineSubgraph({
  name: SERVICE_NAME,
  schema: new URL("../schema.graphql", import.meta.url),
  resolvers,
  permissions,
  loadConfig,
  withoutRedis: "caching in process memory (not shared between instances)",
  deps: ({ db, cache, logger, config, telemetry }): AccountsDeps => ({ db, cache, logger, config, telemetry }),
  context: requestContext,
});

export const { typeDefs, createServer, createContext } = subgraph;
