import type { ApolloServer } from "@apollo/server";
import type { DocumentNode } from "graphql";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import { createSubgraphServer, readTypeDefs } from "@commerce/subgraph";
import type { SubgraphTelemetry } from "@commerce/telemetry";
import type { Config } from "./config.js";
import type { Context } from "./context.js";
import { permissions } from "./permissions.js";
import { resolvers } from "./resolvers/index.js";

export { createContext, type Context, type ContextRequest } from "./context.js";
export { startOrderEventsConsumer, type OrderEventsConsumer, type OrderEventsConsumerOptions } from "./orderEventsConsumer.js";
export { CONSUMER_GROUP, DEAD_LETTER_STREAM, ORDER_COMPLETED, ORDER_EVENTS_STREAM } from "./orderEvents.js";

/** The long-lived dependencies a loyalty server is built from (the events consumer runs beside it: src/index.ts). */
export interface LoyaltyDeps {
  db: Db;
  logger: Logger;
  config: Config;
  /** Resolver and batch spans, operation metrics and logs, `/metrics` and `/ready`; none when absent (unit tests). */
  telemetry?: SubgraphTelemetry;
}

/** The subgraph's SDL, read from schema.graphql (the contract; `_service { sdl }` serves it). */
export const typeDefs: DocumentNode = readTypeDefs(new URL("../schema.graphql", import.meta.url));

/** Builds the loyalty subgraph server. It never listens: src/index.ts (or a test) decides how it is served. */
export function createServer(deps: LoyaltyDeps): ApolloServer<Context> {
  return createSubgraphServer<Context>({ typeDefs, resolvers, permissions, telemetry: deps.telemetry, logger: deps.logger, introspection: deps.config.nodeEnv !== "production" });
}
