import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import type { GraphQLSchema } from "graphql";
import type { Logger } from "@commerce/common";
import type { ResolverSpanMode } from "./config.js";
import { batchInstrumentation, type BatchInstrumentation } from "./batch.js";
import { tracingMiddleware, type TracingMiddleware } from "./http.js";
import { createMetrics, type GraphMetrics, type PoolStats } from "./metrics.js";
import { operationTelemetryPlugin } from "./operationPlugin.js";
import { instrumentResolvers } from "./resolvers.js";

/** A readiness check's answer (the shape of @commerce/http's): up, down, or up with a failing dependency. */
export type Readiness = boolean | { ok: boolean; degraded?: boolean; detail?: string };

/** What `serveGraphQL` takes from a service's telemetry: spread it into its options. */
export interface ServeTelemetry {
  middleware: TracingMiddleware[];
  metrics: () => Promise<{ contentType: string; body: string }>;
  readiness: Record<string, () => Promise<Readiness>>;
}

export interface SubgraphTelemetryOptions {
  /** The subgraph's name: the `service` label and span attribute. */
  service: string;
  /** Which resolvers get spans (`TRACING_RESOLVERS`). @default "own" */
  resolverSpans?: ResolverSpanMode;
  /** Fallback logger for the per-operation line when the context has none. */
  logger?: Logger;
  /** Readiness: Postgres answers `SELECT 1`. */
  db?: { $queryRawUnsafe(query: string): PromiseLike<unknown> };
  /** Readiness: the cache answers PING (an in-process cache always does); when it does not, the service is ready but degraded. */
  cache?: { ping(): Promise<boolean> };
  /** Postgres pool gauges (see `poolStats` of @commerce/db). */
  poolStats?: () => PoolStats | undefined;
  /** Redis connection gauge: the ioredis client, when the cache is Redis. */
  redis?: { readonly status: string };
  /** @default createMetrics({ service }) */
  metrics?: GraphMetrics;
}

/** Everything a subgraph wires in, from one call. */
export interface SubgraphTelemetry {
  metrics: GraphMetrics;
  /** For createLoaders: `batches.wrap(name, fn)` around each batch function, `batches.onBatch` as cachedBatch's hook. */
  batches: BatchInstrumentation;
  /** Add to the ApolloServer's plugins: request span naming, parse/validate spans, operation metrics and log line. */
  plugins<TContext extends BaseContext>(): ApolloServerPlugin<TContext>[];
  /** Wrap the built subgraph schema (before resolver middleware) for resolver spans. */
  instrumentSchema(schema: GraphQLSchema): GraphQLSchema;
  /** Spread into serveGraphQL's options: tracing middleware, `/metrics`, `/ready` checks. */
  serve: ServeTelemetry;
}

/**
 * A subgraph's telemetry in one call (tracing itself is process-wide: see startTracing).
 *
 * ```ts
 * const telemetry = subgraphTelemetry({ service: "orders", db, cache, redis, poolStats: () => poolStats(db) });
 * const deps = { db, cache, logger, config, telemetry };   // server.ts: instrumentSchema + plugins(); context.ts: batches
 * await serveGraphQL({ apollo: () => createServer(deps), context: createContext(deps), port, host, ...telemetry.serve });
 * ```
 */
export function subgraphTelemetry(options: SubgraphTelemetryOptions): SubgraphTelemetry {
  const { service, resolverSpans = "own", logger, db, cache, poolStats, redis } = options;
  const metrics = options.metrics ?? createMetrics({ service });
  if (poolStats) metrics.trackPool(poolStats);
  if (redis) metrics.trackRedis(() => redis.status === "ready");
  const readiness: Record<string, () => Promise<Readiness>> = {};
  if (db) readiness.postgres = async () => (await db.$queryRawUnsafe("SELECT 1"), true);
  // Redis is a cache (and the event hand-off, which waits in the outbox or the stream): without it requests are still
  // served, so it degrades readiness instead of failing it — a failing check would take every replica out of service.
  if (cache)
    readiness.redis = async () =>
      (await cache.ping()) || {
        ok: true,
        degraded: true,
        detail: "redis not answering: served without it (cache misses read Postgres)",
      };
  return {
    metrics,
    batches: batchInstrumentation(metrics),
    plugins: () => [operationTelemetryPlugin({ metrics, ...(logger ? { logger } : {}) })],
    instrumentSchema: (schema) => instrumentResolvers(schema, resolverSpans),
    serve: { middleware: [tracingMiddleware({ service })], metrics: () => metrics.scrape(), readiness },
  };
}
