import type { SubgraphContext } from "@commerce/subgraph";
import { createLoaders, type Loaders } from "./loaders.js";
import type { LoyaltyDeps } from "./server.js";

/** What every resolver gets: the kit's part (db, viewer, request id, logger) and this request's loaders. */
export interface Context extends SubgraphContext {
  loaders: Loaders;
}

/** The loyalty part of each request's context: fresh loaders. */
export function requestContext(deps: LoyaltyDeps): (request: SubgraphContext) => Context {
  return (request) => ({ ...request, loaders: createLoaders(deps.db, deps.telemetry?.batches) });
}
