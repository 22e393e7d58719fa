import type { ApolloServer, BaseContext } from "@apollo/server";
import { connectRedis, createMemoryCache, createRedisCache, type Cache, type RedisClient } from "@commerce/cache";
import { ConfigError, createLogger, type Logger } from "@commerce/common";
import { createDb, poolStats, type Db } from "@commerce/db";
import { serveGraphQL, type Served, type StreamHost } from "@commerce/http";
import { startTracing, subgraphTelemetry, type SubgraphTelemetry } from "@commerce/telemetry";
import type { ContextRequest } from "./context.js";
import type { SubgraphConfig } from "./config.js";

/** What runSubgraph opens for a subgraph, and closes on shutdown. */
export interface SubgraphResources<TConfig extends SubgraphConfig> {
  config: TConfig;
  logger: Logger;
  db: Db;
  /** Redis (a server, or a cluster with `REDIS_CLUSTER=true`) when `REDIS_URL` is set, else in process memory. */
  cache: Cache;
  /** The cache's connection, when there is Redis. */
  redis: RedisClient | undefined;
  telemetry: SubgraphTelemetry;
}

export interface RunSubgraphOptions<TConfig extends SubgraphConfig, TDeps, TContext extends BaseContext> {
  service: string;
  /** Parses the environment; a ConfigError is printed and the process exits 1. */
  loadConfig: () => TConfig;
  /** Logged once when `REDIS_URL` is unset: what the service does without Redis. */
  withoutRedis: string;
  /** The subgraph's deps from the shared resources (telemetry included). */
  deps(resources: SubgraphResources<TConfig>): TDeps;
  createServer(deps: TDeps): ApolloServer<TContext>;
  createContext(deps: TDeps): (req: ContextRequest) => Promise<TContext>;
  /** The subgraph's subscriptions over WebSocket (see `subscriptionHost`), closed first on shutdown. @default none */
  streams?: (deps: TDeps) => StreamHost;
  /** Runs once the server listens (start background workers here). */
  afterListen?: () => Promise<void>;
  /** Runs on shutdown before requests drain (stop consuming new work). */
  beforeStop?: () => Promise<void>;
  /** Runs on shutdown after requests drained, before Postgres, Redis and tracing close. */
  afterStop?: () => Promise<void>;
}

function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // One readable block listing every variable to fix, not a stack trace.
    console.error(error.message);
    process.exit(1);
  }
}

/** A subgraph's entry point: config, tracing, Postgres, cache, telemetry, listen, and shutdown on SIGINT/SIGTERM. */
export async function runSubgraph<TConfig extends SubgraphConfig, TDeps, TContext extends BaseContext>(
  options: RunSubgraphOptions<TConfig, TDeps, TContext>,
): Promise<SubgraphResources<TConfig> & { served: Served }> {
  const { service } = options;
  const config = configOrExit(options.loadConfig);
  // First, so every span and log line below carries the trace context.
  const tracing = startTracing(config.telemetry);
  const logger = createLogger(service, config.logLevel);
  const db = createDb(config.databaseUrl, { poolSize: config.databasePoolSize });
  let cache: Cache;
  let redis: RedisClient | undefined;
  if (config.redisUrl) {
    redis = connectRedis(config.redisUrl, service, { cluster: config.redisCluster, commandTimeoutMs: config.redisCommandTimeoutMs, logger });
    cache = createRedisCache(redis, { onError: (error) => logger.warn({ err: error }, "cache unavailable; answered as a miss") });
  } else {
    cache = createMemoryCache();
    logger.warn(`REDIS_URL is not set: ${options.withoutRedis}`);
  }
  const telemetry = subgraphTelemetry({ service, resolverSpans: config.telemetry.resolverSpans, logger, db, cache, redis, poolStats: () => poolStats(db) });
  const resources = { config, logger, db, cache, redis, telemetry };
  const deps = options.deps(resources);
  const served = await serveGraphQL({
    apollo: () => options.createServer(deps),
    context: options.createContext(deps),
    ...(options.streams ? { streams: options.streams(deps) } : {}),
    port: config.port,
    host: config.host,
    // Only the router may call this subgraph (x-router-signature); /health, /ready and /metrics stay open.
    routerSecret: config.routerSecret,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    ...telemetry.serve,
  });
  if (!config.routerSecret) logger.warn("ROUTER_SECRET is not set: this subgraph answers any caller, not only the router");
  logger.info({ url: served.url }, `${service} subgraph ready`);
  await options.afterListen?.();

  let stopping = false;
  async function shutdown(signal: NodeJS.Signals): Promise<void> {
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, "shutting down: draining in-flight requests");
    // The drain is bounded by SHUTDOWN_TIMEOUT_MS; should closing the rest hang too, exit anyway.
    setTimeout(() => {
      logger.error("shutdown did not finish in time; exiting");
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000).unref();
    try {
      await options.beforeStop?.();
      // Drains in-flight requests first, then releases the connections they used.
      await served.stop();
      await options.afterStop?.();
    } finally {
      await Promise.allSettled([cache.close(), db.$disconnect(), tracing.shutdown()]);
    }
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting for requests to drain");
      process.exit(1);
    }
    stopping = true;
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return { ...resources, served };
}
