import { readFileSync } from "node:fs";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerErrorCode, unwrapResolverError } from "@apollo/server/errors";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import type { DocumentNode, GraphQLFormattedError, GraphQLSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { gql } from "graphql-tag";
import { ErrorCode, isCodedError, type Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
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
}

/** The subgraph's SDL, read from schema.graphql (the contract; `_service { sdl }` serves it). */
export const typeDefs: DocumentNode = gql(readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"));

// Apollo's own request errors (parse, validation, bad variables) are safe to show as they are.
const APOLLO_REQUEST_CODES: ReadonlySet<string> = new Set(
  Object.values(ApolloServerErrorCode).filter((code) => code !== ApolloServerErrorCode.INTERNAL_SERVER_ERROR),
);

/** True when clients may see the error as is: one of our coded errors, or an Apollo request error. */
export function isExposedError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (isCodedError(original)) return true;
  if (original !== error) return false;
  // Duck-typed: under vitest, Apollo's graphql (CJS) and ours (ESM) are different module instances.
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === "string" && APOLLO_REQUEST_CODES.has(code);
}

/** Coded errors pass through; anything else becomes INTERNAL_SERVER_ERROR, with no message details or stack. */
export function maskError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (isExposedError(error)) return formatted;
  return { message: "Internal server error", ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}

/** Logs (with the request id) every error that maskError hides from the client. */
function unexpectedErrorLogger(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async contextCreationDidFail({ error }) {
      if (!isExposedError(error)) logger.error({ err: error }, "context creation failed");
    },
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isExposedError(error)) continue;
            contextValue.logger.error({ err: unwrapResolverError(error), path: error.path }, "unexpected error");
          }
        },
      };
    },
  };
}

/** The executable subgraph schema with the permission rules (graphql-shield) applied. */
export function buildSchema(): GraphQLSchema {
  return applyMiddleware(buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }), permissions);
}

/** Builds the loyalty subgraph server. It never listens: src/index.ts (or a test) decides how it is served. */
export function createServer(deps: LoyaltyDeps): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema: buildSchema(),
    logger: deps.logger,
    introspection: deps.config.nodeEnv !== "production",
    includeStacktraceInErrorResponses: false,
    // src/index.ts owns shutdown; Apollo's own handlers would re-raise the signal before Postgres and Redis are closed.
    stopOnTerminationSignals: false,
    formatError: maskError,
    plugins: [unexpectedErrorLogger(deps.logger)],
  });
}
