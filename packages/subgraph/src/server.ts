import { readFileSync } from "node:fs";
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from "@apollo/server";
import { ApolloServerErrorCode, unwrapResolverError } from "@apollo/server/errors";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { parse, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import type { IMiddleware, IMiddlewareGenerator } from "graphql-middleware";
import { applyMiddleware } from "./shield.js";
import { ErrorCode, isCodedError, type Logger } from "@commerce/common";
import type { SubgraphTelemetry } from "@commerce/telemetry";

/** Reads a subgraph's schema.graphql (the contract; `_service { sdl }` serves it). */
export function readTypeDefs(url: URL): DocumentNode {
  return parse(readFileSync(url, "utf8"));
}

// Apollo's own request errors (parse, validation, bad variables) are safe to show as they are.
const APOLLO_REQUEST_CODES: ReadonlySet<string> = new Set(
  Object.values(ApolloServerErrorCode).filter((code) => code !== ApolloServerErrorCode.INTERNAL_SERVER_ERROR),
);

/** True when clients may see the error as is: one of our coded errors, or an Apollo request error. */
export function isExposedError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (isCodedError(original)) return true;
  // A resolver threw something that is not ours (a Prisma error, a TypeError, a GraphQLError without our code).
  if (original !== error) return false;
  // Duck-typed: under vitest, Apollo's graphql (CJS) and ours (ESM) are different module instances.
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === "string" && APOLLO_REQUEST_CODES.has(code);
}

/** Coded errors pass through; anything else becomes INTERNAL_SERVER_ERROR, with no message details or stack. */
export function maskError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (isExposedError(error)) return formatted;
  return {
    message: "Internal server error",
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/** Logs (with the request id, when the context's logger carries one) every error that maskError hides. */
function unexpectedErrorLogger(logger: Logger): ApolloServerPlugin<BaseContext & { logger?: Logger }> {
  return {
    async contextCreationDidFail({ error }) {
      if (!isExposedError(error)) logger.error({ err: error }, "context creation failed");
    },
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isExposedError(error)) continue;
            (contextValue.logger ?? logger).error(
              { err: unwrapResolverError(error), path: error.path },
              "unexpected error",
            );
          }
        },
      };
    },
  };
}

export interface SubgraphSchemaOptions<TContext = unknown> {
  typeDefs: DocumentNode;
  /** The subgraph's resolver map (generated resolver types are not GraphQLResolverMap's, hence `object`). */
  resolvers: object;
  /** The graphql-shield middleware. */
  permissions?: IMiddleware<unknown, TContext, unknown> | IMiddlewareGenerator<unknown, TContext, unknown>;
  /** Resolver spans; none when absent (unit tests). */
  telemetry?: SubgraphTelemetry | undefined;
}

/**
 * The executable subgraph schema. Resolver spans wrap the resolvers themselves, so the schema is
 * instrumented before any resolver middleware; graphql-shield goes on top, its rules running first.
 */
export function buildSchema<TContext>({
  typeDefs,
  resolvers,
  permissions,
  telemetry,
}: SubgraphSchemaOptions<TContext>): GraphQLSchema {
  const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> });
  const instrumented = telemetry ? telemetry.instrumentSchema(schema) : schema;
  return permissions ? applyMiddleware<unknown, TContext, unknown>(instrumented, permissions) : instrumented;
}

/**
 * `cache-control: no-store` on every answer, which is what Apollo Server's cache-control plugin sends for a schema
 * without cache hints: without its `willResolveField` hook, which Apollo runs for every field of every request
 * (with the resolver wrapper that calls it) to compute a policy that can only be "not cacheable".
 */
const noStorePlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (!response.http.headers.has("cache-control")) response.http.headers.set("cache-control", "no-store");
      },
    };
  },
};

/** Whether the SDL declares `@cacheControl` (then Apollo's cache-control plugin computes real policies and stays). */
function declaresCacheHints(typeDefs: DocumentNode): boolean {
  return typeDefs.definitions.some(
    (definition) => definition.kind === "DirectiveDefinition" && definition.name.value === "cacheControl",
  );
}

export interface SubgraphServerOptions<TContext extends BaseContext> extends SubgraphSchemaOptions<TContext> {
  logger: Logger;
  /** @default true */
  introspection?: boolean;
  /** Run after the telemetry plugins. @default [] */
  plugins?: ApolloServerPlugin<TContext>[];
}

/** Builds a subgraph's ApolloServer. It never listens: the entry point (or a test) hosts it. */
export function createSubgraphServer<TContext extends BaseContext>(
  options: SubgraphServerOptions<TContext>,
): ApolloServer<TContext> {
  const { logger, telemetry, introspection = true, plugins = [], typeDefs } = options;
  const cachePlugins = declaresCacheHints(typeDefs)
    ? []
    : [ApolloServerPluginCacheControlDisabled(), noStorePlugin as ApolloServerPlugin<TContext>];
  return new ApolloServer<TContext>({
    schema: buildSchema(options),
    logger,
    introspection,
    includeStacktraceInErrorResponses: false,
    // The entry point owns shutdown; Apollo's own handlers would re-raise the signal before Postgres and Redis are closed.
    stopOnTerminationSignals: false,
    formatError: maskError,
    plugins: [
      ...(telemetry?.plugins<TContext>() ?? []),
      unexpectedErrorLogger(logger) as ApolloServerPlugin<TContext>,
      ...cachePlugins,
      ...plugins,
    ],
  });
}
