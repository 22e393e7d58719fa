import type { ApolloServer } from "@apollo/server";
import type { DocumentNode } from "graphql";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import { createSubgraphServer, readTypeDefs, type CatalogClient } from "@commerce/subgraph";
import type { SubgraphTelemetry } from "@commerce/telemetry";
import type { Config } from "./config.js";
import type { Context } from "./context.js";
import { permissions } from "./permissions.js";
import { resolvers } from "./resolvers/index.js";

export { createContext, type Context, type ContextRequest } from "./context.js";
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from "./outboxRelay.js";
export { ORDER_COMPLETED, ORDER_EVENTS_STREAM, type OrderCompletedV1 } from "./events.js";

/** The long-lived dependencies an orders server is built from. */
export interface OrdersDeps {
  db: Db;
  logger: Logger;
  config: Config;
  /** Resolver and batch spans, operation metrics and logs, `/metrics` and `/ready`; none when absent (unit tests). */
  telemetry?: SubgraphTelemetry;
  /** Where product prices, names and availability come from (authoritative, never the client). */
  catalog: CatalogClient;
  /** Called after a transaction wrote an outbox event (the relay publishes it without waiting for its next poll). */
  outboxWritten?: () => void;
}

/** The subgraph's SDL, read from schema.graphql (the contract; `_service { sdl }` serves it). */
export const typeDefs: DocumentNode = readTypeDefs(new URL("../schema.graphql", import.meta.url));

/** Builds the orders subgraph server. It never listens: src/index.ts (or a test) decides how it is served. */
export function createServer(deps: OrdersDeps): ApolloServer<Context> {
  return createSubgraphServer<Context>({ typeDefs, resolvers, permissions, telemetry: deps.telemetry, logger: deps.logger, introspection: deps.config.nodeEnv !== "production" });
}
