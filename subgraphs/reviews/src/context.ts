import type { Viewer } from "@commerce/auth";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import { requestScope, viewerReader, type CatalogClient, type ContextRequest } from "@commerce/subgraph";
import { createLoaders, type Loaders } from "./loaders.js";
import type { ReviewsDeps } from "./server.js";

/** What every resolver gets: the verified viewer (null when anonymous) and this request's loaders. */
export interface Context {
  db: Db;
  logger: Logger;
  viewer: Viewer | null;
  loaders: Loaders;
  catalog: CatalogClient;
  requestId: string;
}

export type { ContextRequest };

/**
 * Builds the per-request context factory: the one place a request's identity is decided (a
 * router-only guard belongs here too). A missing Authorization header is anonymous; a present
 * but invalid one fails the request with UNAUTHENTICATED (HTTP 401).
 */
export function createContext(deps: ReviewsDeps): (req: ContextRequest) => Promise<Context> {
  const viewerOf = viewerReader(deps.config.jwtSecret);
  return async (req) => {
    const viewer = await viewerOf(req);
    return {
      db: deps.db,
      ...requestScope(req, deps.logger),
      viewer,
      catalog: deps.catalog,
      loaders: createLoaders(deps.db, deps.telemetry?.batches),
    };
  };
}
