import { defineSubgraph, type CachedSubgraphDeps } from "@commerce/subgraph";
import { loadConfig, type Config } from "./config.js";
import { requestContext } from "./context.js";
import { permissions } from "./permissions.js";
import { resolvers } from "./resolvers/index.js";

/** The long-lived dependencies a catalog server is built from (its cache holds products and categories by id): the kit's. */
export type CatalogDeps = CachedSubgraphDeps<Config>;

/** The catalog subgraph: src/index.ts runs it; tests build its server with their own deps. */
export const subgraph = defineSubgraph({
  schema: new URL("../schema.graphql", import.meta.url),
  resolvers,
  permissions,
  loadConfig,
  withoutRedis: "caching in this process only (not shared between instances, invalidation stays local)",
  context: requestContext,
});
