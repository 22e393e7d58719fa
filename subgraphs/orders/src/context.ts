import type { CatalogClient, SubgraphContext } from "@commerce/subgraph";
import { createLoaders, type Loaders } from "./loaders.js";
import type { OrdersDeps } from "./server.js";

/** What every resolver gets: the kit's part (db, viewer, request id, logger) and this request's loaders. */
export interface Context extends SubgraphContext {
  loaders: Loaders;
  catalog: CatalogClient;
  /** Tells the outbox relay that a transaction just wrote an event. */
  outboxWritten: () => void;
}

/** The orders part of each request's context: fresh loaders, the catalog client and the relay's nudge. */
export function requestContext(deps: OrdersDeps): (request: SubgraphContext) => Context {
  return (request) => ({
    ...request,
    catalog: deps.catalog,
    outboxWritten: deps.outboxWritten ?? (() => undefined),
    loaders: createLoaders(deps.db, deps.telemetry?.batches),
  });
}
