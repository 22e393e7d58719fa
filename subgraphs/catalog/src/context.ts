import type { Cache } from "@commerce/cache";
import type { SubgraphContext } from "@commerce/subgraph";
import { createLoaders, type Loaders } from "./loaders.js";
import type { CatalogDeps } from "./server.js";

/** What every resolver gets: the kit's part (db, viewer, request id, logger), the cache and this request's loaders. */
export interface Context extends SubgraphContext {
  cache: Cache;
  loaders: Loaders;
}

/** The catalog part of each request's context: the cache and fresh loaders over it. */
export function requestContext({ db, cache, config, telemetry }: CatalogDeps): (request: SubgraphContext) => Context {
  return (request) => ({
    ...request,
    cache,
    loaders: createLoaders({ db, cache, ttlSeconds: config.cacheTtlSeconds, batches: telemetry?.batches }),
  });
}
