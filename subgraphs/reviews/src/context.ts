import type { CatalogClient, SubgraphContext } from "@commerce/subgraph";
import { createLoaders, type Loaders } from "./loaders.js";
import type { ReviewsDeps } from "./server.js";

/** What every resolver gets: the kit's part (db, viewer, request id, logger) and this request's loaders. */
export interface Context extends SubgraphContext {
  loaders: Loaders;
  catalog: CatalogClient;
}

/** The reviews part of each request's context: fresh loaders and the catalog client. */
export function requestContext(deps: ReviewsDeps): (request: SubgraphContext) => Context {
  return (request) => ({ ...request, catalog: deps.catalog, loaders: createLoaders(deps.db, deps.telemetry?.batches) });
}
