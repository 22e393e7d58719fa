import type { CatalogClient, StreamContext, SubgraphContext } from "@commerce/subgraph";
import { createLoaders, type Loaders } from "./loaders.js";
import type { OrderFeed } from "./orderFeed.js";
import type { OrdersDeps } from "./server.js";

/** What every resolver gets: the kit's part (db, viewer, request id, logger) and this request's loaders. */
export interface Context extends SubgraphContext, StreamContext {
  loaders: Loaders;
  catalog: CatalogClient;
  /** Tells the outbox relay that a transaction just wrote an event. */
  outboxWritten: () => void;
  /** The order changes subscriptions follow; absent without Redis. */
  orderFeed?: OrderFeed | undefined;
}

/** The orders part of each request's context: fresh loaders, the catalog client, the relay's nudge and the order feed. */
export function requestContext(deps: OrdersDeps): (request: SubgraphContext) => Context {
  return (request) => ({
    ...request,
    catalog: deps.catalog,
    outboxWritten: deps.outboxWritten ?? (() => undefined),
    loaders: createLoaders(deps.db, deps.telemetry?.batches),
    orderFeed: deps.orderFeed,
  });
}
