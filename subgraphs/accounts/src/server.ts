import { defineSubgraph, type CachedSubgraphDeps } from "@commerce/subgraph";
import { loadConfig, type Config } from "./config.js";
import { requestContext } from "./context.js";
import { permissions } from "./permissions.js";
import { resolvers } from "./resolvers/index.js";

/** What the accounts service runs on (its cache holds users by id): the kit's deps; tests pass their own. */
export type AccountsDeps = CachedSubgraphDeps<Config>;

/** The accounts subgraph: src/index.ts runs it; tests build its server with their own deps. */
export const subgraph = defineSubgraph({
  schema: new URL("../schema.graphql", import.meta.url),
  resolvers,
  permissions,
  loadConfig,
  withoutRedis: "caching in process memory (not shared between instances)",
  context: requestContext,
});
