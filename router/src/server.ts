import { ApolloServer } from "@apollo/server";
import type { ApolloGateway } from "@apollo/gateway";
import type { CorsOptions } from "cors";
import type { Express, NextFunction, Request, Response } from "express";
import type { RedisClient } from "@commerce/cache";
import type { Logger } from "@commerce/common";
import { routerSigner, type ReadinessCheck, type StreamHost } from "@commerce/http";
import {
  createMetrics,
  tracingMiddleware,
  workerAwareScrape,
  type GraphMetrics,
  type TelemetryConfig,
} from "@commerce/telemetry";
import type { RouterConfig } from "./config.js";
import { createContext, type IncomingRequest, type RouterContext } from "./context.js";
import { createGateway, subgraphUrlResolver, type SubgraphTraffic } from "./gateway.js";
import { useNativeExecutor } from "./executor/nativeExecutor.js";
import { SubgraphHttpClient } from "./dataPlane/httpClient.js";
import { SubgraphPolicies } from "./dataPlane/policies.js";
import { instrumentQueryPlanCache, routerReadiness } from "./observability.js";
import { routerPlugins } from "./plugins/index.js";
import { readFileSync } from "node:fs";
import { createTokenVerifier } from "@commerce/auth";
import { createRedisCostBudget } from "./demandControl/costBudget.js";
import { routerFormatError } from "./formatError.js";
import { createSafelist, type PersistedOperationManifest } from "./persisted/manifest.js";
import { createRedisKeyValueCache } from "./persisted/redisKeyValueCache.js";
import { SupergraphMetadataRegistry } from "./supergraph/registry.js";
import { DEFAULT_OPERATION_LIMITS } from "@commerce/analysis";
import { cachedRequestLimits } from "./limits/requestLimits.js";
import { subscriptionStreams } from "./subscriptions/streams.js";

export interface RouterDeps {
  config: RouterConfig;
  logger: Logger;
  /** The gateway to serve; tests pass one over in-memory subgraphs. @default createGateway over `config.supergraphPath` */
  gateway?: ApolloGateway;
  /** This router's metrics registry. @default createMetrics({ service: "router" }) */
  metrics?: GraphMetrics;
  /** Apollo Studio settings (tracing itself is process-wide, see startTracing). @default no usage reporting */
  telemetry?: Pick<TelemetryConfig, "apollo">;
  /** Redis for APQ and cost budgets (index.ts connects to `REDIS_URL`). @default none: APQ in memory, no budgets */
  redis?: RedisClient | undefined;
}

/** Where the router serves GraphQL (and, for browsers, the landing page). */
export const GRAPHQL_PATH = "/graphql";

/** Everything `serveGraphQL` needs besides the address. */
export interface Router {
  path: string;
  apollo: ApolloServer<RouterContext>;
  context: (req: IncomingRequest) => Promise<RouterContext>;
  cors: CorsOptions;
  /** Extra HTTP routes: `GET /` sends browsers to the GraphQL path, where the landing page is. */
  routes: (app: Express) => void;
  /** Stops Apollo Server, which stops the gateway and its supergraph watcher. */
  stop: () => Promise<void>;
  /** The request span of each GraphQL request (W3C traceparent in, span active for the gateway), then SSE subscriptions. */
  middleware: Array<(req: Request, res: Response, next: NextFunction) => void>;
  /** `GET /metrics`: the router's Prometheus metrics (every worker's, merged, when it runs as node:cluster workers). */
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** `GET /ready`: ready once a supergraph is loaded; subgraphs with an open (or just closed) breaker reported degraded. */
  readiness: () => Record<string, ReadinessCheck>;
  /** The metrics API for plugins and middleware: `recordRejection(reason)`, `observeCost(kind, value)`, … */
  graphMetrics: GraphMetrics;
  /** Largest request body in bytes (`MAX_BODY_BYTES`); the HTTP host answers 413 above it. */
  bodyLimit: number;
  /** Authorization and cost metadata of each schema the gateway served. */
  registry: SupergraphMetadataRegistry;
  /** Subscriptions over WebSocket (upgrades on `path`); `close` ends them on shutdown (`SUBSCRIPTIONS_ENABLED`). */
  streams?: StreamHost;
}

/** Builds the router without listening; `index.ts` serves it. */
export function createRouter({
  config,
  logger,
  gateway: givenGateway,
  metrics = createMetrics({ service: "router" }),
  telemetry,
  redis,
}: RouterDeps): Router {
  const production = config.nodeEnv === "production";
  const formatError = routerFormatError({ production });
  const { subgraphTraffic } = config;
  const traffic: SubgraphTraffic = {
    client: new SubgraphHttpClient({ connections: subgraphTraffic.connections }),
    policies: new SubgraphPolicies({
      defaults: subgraphTraffic.policy,
      overrides: subgraphTraffic.policies,
      logger: logger.child({ component: "gateway" }),
    }),
    deduplicate: subgraphTraffic.deduplication,
  };
  const gateway =
    givenGateway ??
    createGateway({
      supergraphPath: config.supergraphPath,
      subgraphUrls: config.subgraphUrls,
      logger,
      metrics,
      routerSecret: config.routerSecret,
      traffic,
    });
  // Subscriptions always run on the router's executor (the gateway's cannot); queries when ROUTER_EXECUTOR=native.
  useNativeExecutor(gateway, { queries: config.executor === "native" });
  // Authorization and cost directives come from the supergraph the gateway accepted, per API schema.
  const registry = new SupergraphMetadataRegistry();
  gateway.onSchemaLoadOrUpdate((schema) => registry.register(schema));
  const { persistedQueries: pq, cost } = config;
  const safelist =
    pq.safelist === "off"
      ? undefined
      : createSafelist(JSON.parse(readFileSync(pq.manifestPath, "utf8")) as PersistedOperationManifest);
  instrumentQueryPlanCache(gateway, metrics);
  const readiness = routerReadiness(gateway, traffic.policies, { settleMs: subgraphTraffic.readySettleMs });
  const apollo = new ApolloServer<RouterContext>({
    gateway,
    nodeEnv: config.nodeEnv,
    introspection: !production,
    // No suggestions ("Did you mean …?") in production: they reveal the schema.
    hideSchemaDetailsFromClientErrors: production,
    allowBatchedHttpRequests: config.limits.maxBatchSize > 0,
    persistedQueries: pq.apq
      ? {
          ttl: pq.apqTtlSeconds,
          ...(redis
            ? { cache: createRedisKeyValueCache(redis, { onError: (err) => logger.warn({ err }, "APQ cache error") }) }
            : {}),
        }
      : false,
    formatError,
    plugins: routerPlugins({
      production,
      metrics,
      logger,
      edge: {
        registry,
        authorizationMode: config.authorizationMode,
        cost: {
          ...cost,
          budget:
            redis && cost.budget > 0
              ? createRedisCostBudget(redis, { budget: cost.budget, windowSeconds: cost.budgetWindowSeconds })
              : undefined,
        },
        ...(safelist && pq.safelist !== "off" ? { safelist: { safelist, mode: pq.safelist } } : {}),
      },
      usageReporting: { apolloKey: telemetry?.apollo.key, graphRef: telemetry?.apollo.graphRef },
      requestTimeoutMs: config.requestTimeoutMs,
      formatError,
    }),
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // index.ts owns signal handling: it stops the HTTP server, which drains requests and then stops Apollo.
    stopOnTerminationSignals: false,
    logger: logger.child({ component: "apollo" }),
  });
  // Subgraph connections close with the server (the HTTP host stops Apollo once requests have drained).
  apollo.addPlugin({ serverWillStart: async () => ({ serverWillStop: () => traffic.client.close() }) });
  const origins = config.corsOrigins;
  const verify = createTokenVerifier({ ...config.jwt, secret: config.jwt.secret });
  const subscriptions = config.subscriptions.enabled
    ? subscriptionStreams({
        apollo: () => apollo,
        path: GRAPHQL_PATH,
        verify,
        checkLimits: cachedRequestLimits({ ...DEFAULT_OPERATION_LIMITS, ...config.limits }),
        limitsMode: config.limitsMode,
        schema: () => registry.latestSchema,
        formatError: (formatted) => formatError(formatted, undefined),
        settings: config.subscriptions,
        eventTimeoutMs: config.requestTimeoutMs > 0 ? config.requestTimeoutMs : 15_000,
        subgraphUrl: subgraphUrlResolver(gateway, config.subgraphUrls),
        sign: config.routerSecret ? routerSigner(config.routerSecret) : undefined,
        trustProxy: config.trustProxy,
        maxPayloadBytes: config.limits.maxBodyBytes,
        logger: logger.child({ component: "subscriptions" }),
        metrics,
      })
    : undefined;
  return {
    path: GRAPHQL_PATH,
    apollo,
    context: createContext(logger, {
      verify,
      limits: config.limits,
      limitsMode: config.limitsMode,
      schema: () => registry.latestSchema,
    }),
    cors: { origin: origins.includes("*") ? true : origins.length > 0 ? [...origins] : false },
    routes: (app) => {
      app.get("/", (_req, res) => res.redirect(302, GRAPHQL_PATH));
    },
    stop: () => apollo.stop(),
    // Event-stream requests (SSE subscriptions) are answered after the request span opens, before Apollo.
    middleware: [tracingMiddleware({ service: "router" }), ...(subscriptions ? [subscriptions.sse] : [])],
    metrics: workerAwareScrape(metrics),
    readiness,
    graphMetrics: metrics,
    bodyLimit: config.limits.maxBodyBytes,
    registry,
    ...(subscriptions ? { streams: subscriptions.host } : {}),
  };
}
