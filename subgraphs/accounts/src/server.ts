import { readFileSync } from "node:fs";
import { ApolloServer, type ApolloServerOptions } from "@apollo/server";
import { ApolloServerErrorCode, unwrapResolverError } from "@apollo/server/errors";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { parse, type DocumentNode, type GraphQLFormattedError } from "graphql";
import { ErrorCode, isCodedError, type Logger } from "@commerce/common";
import type { AccountsDeps, Context } from "./context.js";
import { resolvers } from "./resolvers/index.js";

export { createContext, type AccountsDeps, type Context, type ContextRequest } from "./context.js";

/** The subgraph's SDL, parsed from schema.graphql (the contract; read from the package root in src/ and dist/ alike). */
export const typeDefs: DocumentNode = parse(readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"));

/** Apollo's own request errors (parse, validation, bad variables): safe to show, they reveal no internals. */
const REQUEST_ERROR_CODES: ReadonlySet<unknown> = new Set(
  Object.values(ApolloServerErrorCode).filter((code) => code !== ApolloServerErrorCode.INTERNAL_SERVER_ERROR),
);

/**
 * Coded errors (ours and Apollo's request errors) pass through; anything else is
 * logged and masked as INTERNAL_SERVER_ERROR, without message details or stack.
 */
function maskUnexpectedErrors(logger: Logger): NonNullable<ApolloServerOptions<Context>["formatError"]> {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (isCodedError(unwrapResolverError(error))) return formatted;
    if (REQUEST_ERROR_CODES.has(formatted.extensions?.code) && unwrapResolverError(error) === error) return formatted;
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
  return new ApolloServer<Context>({
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: maskUnexpectedErrors(deps.logger),
  });
}
