import type { Viewer } from "@commerce/auth";
import type { Cache } from "@commerce/cache";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import { requestScope, viewerReader, type ContextRequest } from "@commerce/subgraph";
import { createLoaders, type Loaders } from "./loaders.js";
import type { CatalogDeps } from "./server.js";

/** What every resolver gets: the verified viewer (null when anonymous) and this request's loaders. */
export interface Context {
  db: Db;
  cache: Cache;
  logger: Logger;
  viewer: Viewer | null;
  loaders: Loaders;
  requestId: string;
}

export type { ContextRequest };

/**
 * Builds the per-request context factory. A missing Authorization header is anonymous;
 * a present but invalid one fails the request with UNAUTHENTICATED (HTTP 401).
 */
export function createContext(deps: CatalogDeps): (req: ContextRequest) => Promise<Context> {
  const viewerOf = viewerReader(deps.config.jwtSecret);
  return async (req) => {
    const viewer = await viewerOf(req);
    return {
      db: deps.db,
      cache: deps.cache,
      ...requestScope(req, deps.logger),
      viewer,
      loaders: createLoaders({ db: deps.db, cache: deps.cache, ttlSeconds: deps.config.cacheTtlSeconds, batches: deps.telemetry?.batches }),
    };
  };
}
