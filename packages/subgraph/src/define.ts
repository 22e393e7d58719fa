import type { ApolloServer } from "@apollo/server";
import type { DocumentNode } from "graphql";
import type { Viewer } from "@commerce/auth";
import type { Cache } from "@commerce/cache";
import type { Env, Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import { callerOf, serveGraphQL, type Caller, type GraphQLWebSocketHost, type Served } from "@commerce/http";
import type { SubgraphTelemetry } from "@commerce/telemetry";
import type { SubgraphConfig } from "./config.js";
import { requestScope, viewerReader, type ContextRequest } from "./context.js";
import type { SubgraphResources } from "./run.js";
import { buildSchema, createSubgraphServer, readTypeDefs, type SubgraphSchemaOptions } from "./server.js";
import { serviceCallersPlugin } from "./serviceCallers.js";
import { subscriptionHost } from "./subscriptions.js";

/** What the kit puts in every request's context; a subgraph's Context extends it. */
export interface SubgraphContext {
  db: Db;
  /** Logs with this request's id. */
  logger: Logger;
  /** `x-request-id`, else a new one. */
  requestId: string;
  /** The caller, from a verified access token; null when anonymous. */
  viewer: Viewer | null;
  /**
   * Who sent the request, as the guard verified it: the router, or a trusted service under its own identity
   * (`TRUSTED_SERVICES`); null when unguarded (no `ROUTER_SECRET`) or in process (tests, subscriptions).
   */
  caller: Caller | null;
}

/**
 * The long-lived dependencies every subgraph server is built from. The entry point builds them from the
 * connections the kit opened ({@link SubgraphDefinition.deps}); tests build their own.
 */
export interface SubgraphDeps<TConfig extends SubgraphConfig = SubgraphConfig> {
  config: TConfig;
  db: Db;
  logger: Logger;
  /** Resolver and batch spans, operation metrics and logs, `/metrics` and `/ready`; none when absent (unit tests). */
  telemetry?: SubgraphTelemetry | undefined;
}

/** The kit's deps with its cache: what a subgraph that caches (accounts, catalog) runs on. */
export interface CachedSubgraphDeps<TConfig extends SubgraphConfig = SubgraphConfig> extends SubgraphDeps<TConfig> {
  /** Redis (shared between instances), or in process memory without `REDIS_URL`. */
  cache: Cache;
}

/** The deps the kit builds when a subgraph adds none of its own: its connections, as they are. */
function kitDeps<TConfig extends SubgraphConfig>({
  db,
  cache,
  logger,
  config,
  telemetry,
}: SubgraphResources<TConfig>): CachedSubgraphDeps<TConfig> {
  return { db, cache, logger, config, telemetry };
}

/** A background worker a subgraph runs beside its server (orders' outbox relay, loyalty's order-events consumer). */
export interface Worker {
  /** Named in logs. */
  readonly name: string;
  /**
   * When shutdown stops it. `"beforeDrain"`: before in-flight requests drain, so it takes no new work while they
   * finish (a consumer). `"afterDrain"`: once they drained, so it still handles what they wrote (an outbox relay).
   */
  readonly stopWhen: "beforeDrain" | "afterDrain";
  /** Starts working in the background; called once, after the server listens. */
  start(): void;
  /** Finishes the work in hand and stops; resolves when nothing of it runs any more. */
  stop(): Promise<void>;
}

export interface SubgraphDefinition<
  TConfig extends SubgraphConfig,
  TDeps extends SubgraphDeps<TConfig>,
  TContext extends SubgraphContext,
> {
  /** The subgraph's schema.graphql: the contract, served as `_service { sdl }`. */
  schema: URL;
  /** The resolver map (generated resolver types are not GraphQLResolverMap's, hence `object`). */
  resolvers: object;
  /** The graphql-shield middleware. */
  permissions?: SubgraphSchemaOptions<TContext>["permissions"];
  /** Parses the environment once (the subgraph's config.ts); throws one ConfigError listing every problem. */
  loadConfig(env?: Env): TConfig;
  /** Logged once at start when `REDIS_URL` is unset: what the service does without Redis. */
  withoutRedis: string;
  /**
   * The server's deps from the connections the kit opened, with the subgraph's own long-lived services (a catalog
   * client). @default the kit's: db, cache, logger, config and telemetry ({@link CachedSubgraphDeps}); a subgraph
   * whose deps are more must say how they are built (the type requires it).
   */
  deps?(resources: SubgraphResources<TConfig>): TDeps;
  /**
   * Builds, once per server, the function that makes each request's context from the kit's part (`request`: db, the
   * verified viewer, the request id and its logger): the subgraph adds its own, fresh for each request (its loaders)
   * or shared (its services, from `deps` or built here once).
   */
  context(deps: TDeps): (request: SubgraphContext) => TContext;
  /**
   * The background workers to run beside the server: started once it listens, stopped on shutdown (see
   * {@link Worker.stopWhen}), before the kit closes its connections. Connections a worker needs for itself come
   * from `resources.connectRedis`, which the kit closes after the workers stopped.
   */
  workers?(deps: TDeps, resources: SubgraphResources<TConfig>): Worker[];
  /**
   * Serves the schema's `Subscription` fields to the router over WebSocket on the GraphQL path (see
   * `subscriptionHost`), each subscription with this subgraph's context; closed first on shutdown. @default false
   */
  subscriptions?: boolean;
}

/** A subgraph as the kit runs it, and as tests build it. */
export interface Subgraph<
  TConfig extends SubgraphConfig,
  TDeps extends SubgraphDeps<TConfig>,
  TContext extends SubgraphContext,
> {
  readonly definition: SubgraphDefinition<TConfig, TDeps, TContext>;
  /** schema.graphql, parsed. */
  readonly typeDefs: DocumentNode;
  /** The subgraph's config from `env` (the process environment by default). */
  loadConfig(env?: Env): TConfig;
  /** The server's deps from the connections the kit opened (the definition's `deps`, else the kit's own). */
  deps(resources: SubgraphResources<TConfig>): TDeps;
  /** The ApolloServer: schema, shield, error masking, telemetry; introspection off when `NODE_ENV=production`. It never listens. */
  createServer(deps: TDeps): ApolloServer<TContext>;
  /**
   * The per-request context factory. A missing Authorization header is anonymous; a present but invalid or
   * expired token fails the request with UNAUTHENTICATED (HTTP 401) rather than downgrading to anonymous.
   */
  createContext(deps: TDeps): (req: ContextRequest) => Promise<TContext>;
  /** Serves the server over HTTP with `/health`, `/ready` and `/metrics` (from `deps.telemetry`), as the process does. */
  serve(deps: TDeps, options: { host: string; port: number; shutdownTimeoutMs?: number }): Promise<Served>;
}

/**
 * Defines a subgraph: its schema, resolvers, permissions, config, deps, context and workers. The kit does the
 * rest: connections, telemetry, the server, introspection policy, health and readiness, workers' lifecycle and
 * shutdown ({@link runSubgraph}); each subgraph's src/index.ts is `await runSubgraph(subgraph)`.
 */
export function defineSubgraph<
  TConfig extends SubgraphConfig,
  TDeps extends SubgraphDeps<TConfig>,
  TContext extends SubgraphContext,
>(
  definition: SubgraphDefinition<TConfig, TDeps, TContext> &
    (CachedSubgraphDeps<TConfig> extends TDeps
      ? unknown
      : Required<Pick<SubgraphDefinition<TConfig, TDeps, TContext>, "deps">>),
): Subgraph<TConfig, TDeps, TContext> {
  const typeDefs = readTypeDefs(definition.schema);
  const { resolvers, permissions } = definition;
  function createServer(deps: TDeps): ApolloServer<TContext> {
    const introspection = deps.config.nodeEnv !== "production";
    return createSubgraphServer<TContext>({
      typeDefs,
      resolvers,
      permissions,
      telemetry: deps.telemetry,
      logger: deps.logger,
      introspection,
      // Services calling under their own identity read entities by key and nothing else.
      plugins: [serviceCallersPlugin()],
    });
  }
  function createContext(deps: TDeps): (req: ContextRequest) => Promise<TContext> {
    const viewerOf = viewerReader(deps.config.jwtSecret);
    const contextOf = definition.context(deps);
    return async (req) => {
      const viewer = await viewerOf(req);
      const caller = callerOf(req) ?? null;
      return contextOf({ db: deps.db, ...requestScope(req, deps.logger, caller), viewer, caller });
    };
  }
  function createSubscriptions(deps: TDeps): GraphQLWebSocketHost {
    const schema = buildSchema<TContext>({ typeDefs, resolvers, permissions, telemetry: deps.telemetry });
    return subscriptionHost({
      schema,
      context: createContext(deps),
      routerSecret: deps.config.routerSecret,
      logger: deps.logger,
    });
  }
  return {
    definition,
    typeDefs,
    loadConfig: (env) => definition.loadConfig(env),
    // Without its own `deps`, the parameter's type made sure the kit's are a TDeps.
    deps: (resources) => (definition.deps ? definition.deps(resources) : (kitDeps(resources) as unknown as TDeps)),
    createServer,
    createContext,
    serve: (deps, { host, port, shutdownTimeoutMs }) =>
      serveGraphQL({
        apollo: () => createServer(deps),
        context: createContext(deps),
        host,
        port,
        // Only the router may call this subgraph (x-router-signature); /health, /ready and /metrics stay open…
        routerSecret: deps.config.routerSecret,
        // …or a service it trusts, under that service's own identity (x-service-signature).
        trustedServices: deps.config.trustedServices,
        shutdownTimeoutMs,
        ...(definition.subscriptions ? { streams: createSubscriptions(deps) } : {}),
        ...deps.telemetry?.serve,
      }),
  };
}
