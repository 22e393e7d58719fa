import type { Viewer } from "@commerce/auth";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import { requestScope, viewerReader, type ContextRequest } from "@commerce/subgraph";
import type { CatalogClient } from "@commerce/subgraph";
import { createLoaders, type Loaders } from "./loaders.js";
import type { OrdersDeps } from "./server.js";

/** What every resolver gets: the verified viewer (null when anonymous) and this request's loaders. */
export interface Context {
  db: Db;
  logger: Logger;
  viewer: Viewer | null;
  loaders: Loaders;
  catalog: CatalogClient;
  /** Tells the outbox relay that a transaction just wrote an event. */
  outboxWritten: () => void;
  requestId: string;
}

export type { ContextRequest };

/**
 * Builds the per-request context factory: the one place a request's identity is decided (a
 * router-only guard belongs here too). A missing Authorization header is anonymous; a present
 * but invalid one fails the request with UNAUTHENTICATED (HTTP 401).
 */
export function createContext(deps: OrdersDeps): (req: ContextRequest) => Promise<Context> {
  const viewerOf = viewerReader(deps.config.jwtSecret);
  return async (req) => {
    const viewer = await viewerOf(req);
    return {
      db: deps.db,
      ...requestScope(req, deps.logger),
      viewer,
      catalog: deps.catalog,
      outboxWritten: deps.outboxWritten ?? (() => undefined),
      loaders: createLoaders(deps.db, deps.telemetry?.batches),
    };
  };
}
