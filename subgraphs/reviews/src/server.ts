import { catalogClientFor, defineSubgraph, type CatalogClient, type SubgraphDeps } from "@commerce/subgraph";
import { loadConfig, type Config } from "./config.js";
import { requestContext } from "./context.js";
import { permissions } from "./permissions.js";
import { resolvers } from "./resolvers/index.js";

/** The long-lived dependencies a reviews server is built from. */
export interface ReviewsDeps extends SubgraphDeps<Config> {
  /** Where createReview checks that the product exists. */
  catalog: CatalogClient;
}

/** The reviews subgraph: src/index.ts runs it; tests build its server with their own deps. */
export const subgraph = defineSubgraph({
  schema: new URL("../schema.graphql", import.meta.url),
  resolvers,
  permissions,
  loadConfig,
  // Reviews cache nothing: Redis is only checked by /ready.
  withoutRedis: "/ready checks Postgres only (reviews cache nothing)",
  // createReview asks the catalog whether the product exists, under reviews' own identity (SERVICE_SECRET).
  deps: ({ db, logger, config, telemetry }): ReviewsDeps => ({
    db,
    logger,
    config,
    telemetry,
    catalog: catalogClientFor(config, logger),
  }),
  context: requestContext,
});
