import { readFileSync } from "node:fs";
import { ApolloServer, type ApolloServerOptions } from "@apollo/server";
import { ApolloServerErrorCode, unwrapResolverError } from "@apollo/server/errors";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse, type DocumentNode, type GraphQLFormattedError } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { ErrorCode, type Logger } from "@commerce/common";
import type { AccountsDeps, Context } from "./context.js";
import { permissions } from "./permissions.js";
import { resolvers } from "./resolvers/index.js";

export { createContext, type AccountsDeps, type Context, type ContextRequest } from "./context.js";

/** The subgraph's SDL, parsed from schema.graphql (the contract; read from the package root in src/ and dist/ alike). */
export const typeDefs: DocumentNode = parse(readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"));

/**
 * Codes that are safe to show as they are: ours (only the factories in @commerce/common set them) and
 * Apollo's request errors (parse, validation, bad variables), which reveal no internals.
 */
const PASS_THROUGH_CODES: ReadonlySet<unknown> = new Set<unknown>(
  [...Object.values(ErrorCode), ...Object.values(ApolloServerErrorCode)].filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
);

/**
 * Coded errors pass through; anything else is logged and masked as
 * INTERNAL_SERVER_ERROR, without its message or stack. Decided by the formatted
 * code rather than `instanceof GraphQLError`, which two copies of graphql (CJS and
 * ESM, as under vitest) would defeat.
 */
function maskUnexpectedErrors(logger: Logger): NonNullable<ApolloServerOptions<Context>["formatError"]> {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (PASS_THROUGH_CODES.has(formatted.extensions?.code)) return formatted;
    logger.error({ err: unwrapResolverError(error), path: formatted.path }, "unexpected error while resolving");
    return {
      message: "Internal server error.",
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/** Builds the accounts subgraph server. It never listens: index.ts (or a test) hosts it. */
export function createServer(deps: AccountsDeps): ApolloServer<Context> {
  const schema = buildSubgraphSchema({ typeDefs, resolvers });
  return new ApolloServer<Context>({
    // Resolver spans wrap the resolvers themselves: instrument before any resolver middleware.
    // graphql-shield on top, so its rules run before the (instrumented) resolvers.
    schema: applyMiddleware(deps.telemetry ? deps.telemetry.instrumentSchema(schema) : schema, permissions),
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: maskUnexpectedErrors(deps.logger),
    logger: deps.logger,
    // index.ts owns signal handling: it stops the server, then closes the database and the cache.
    stopOnTerminationSignals: false,
    plugins: deps.telemetry?.plugins<Context>() ?? [],
  });
}
