import type { ApolloServer } from "@apollo/server";
import type { DocumentNode } from "graphql";
import { createSubgraphServer, readTypeDefs } from "@commerce/subgraph";
import type { AccountsDeps, Context } from "./context.js";
import { permissions } from "./permissions.js";
import { resolvers } from "./resolvers/index.js";

export { createContext, type AccountsDeps, type Context, type ContextRequest } from "./context.js";

/** The subgraph's SDL, read from schema.graphql (the contract; `_service { sdl }` serves it). */
export const typeDefs: DocumentNode = readTypeDefs(new URL("../schema.graphql", import.meta.url));

/** Builds the accounts subgraph server. It never listens: src/index.ts (or a test) hosts it. */
export function createServer(deps: AccountsDeps): ApolloServer<Context> {
  return createSubgraphServer<Context>({ typeDefs, resolvers, permissions, telemetry: deps.telemetry, logger: deps.logger, introspection: true });
}
