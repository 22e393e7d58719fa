import { connectRedis, createMemoryCache, createRedisCache, type Cache, type RedisClient } from "@commerce/cache";
import { ConfigError, createLogger, type Logger } from "@commerce/common";
import { createDb, poolStats, type Db } from "@commerce/db";
import type { Served } from "@commerce/http";
import { startTracing, subgraphTelemetry, type SubgraphTelemetry } from "@commerce/telemetry";
import type { SubgraphConfig } from "./config.js";
import type { Subgraph, SubgraphContext, SubgraphDeps, Worker } from "./define.js";

/** What the kit opens for a subgraph process, and closes on shutdown. */
export interface SubgraphResources<TConfig extends SubgraphConfig> {
  config: TConfig;
  logger: Logger;
  db: Db;
  /** Redis (a server, or a cluster with `REDIS_CLUSTER=true`) when `REDIS_URL` is set, else in process memory. */
  cache: Cache;
  /** The cache's connection, when there is Redis. */
  redis: RedisClient | undefined;
  /**
   * Opens another Redis connection (a blocking reader needs its own), closed by the kit after the workers stopped;
   * undefined without `REDIS_URL`. `commandTimeoutMs` defaults to `REDIS_COMMAND_TIMEOUT_MS`.
   */
  connectRedis: ((purpose: string, options?: { commandTimeoutMs?: number }) => RedisClient) | undefined;
  telemetry: SubgraphTelemetry;
}

/** A running subgraph process (what {@link runSubgraph} resolves with). */
export interface RunningSubgraph<TConfig extends SubgraphConfig> extends SubgraphResources<TConfig> {
  served: Served;
  /** The graceful shutdown SIGINT and SIGTERM run (without exiting the process). */
  shutdown(): Promise<void>;
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

/** Stops workers concurrently, logging (never throwing) a failure, so one stuck worker cannot keep the rest running. */
async function stopWorkers(workers: readonly Worker[], logger: Logger): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      try {
        await worker.stop();
        logger.info({ worker: worker.name }, "worker stopped");
      } catch (error) {
        logger.error({ err: error, worker: worker.name }, "worker failed to stop cleanly");
      }
    }),
  );
}

/**
 * A subgraph's process, from its definition: config (a ConfigError is printed and the process exits 1), tracing,
 * Postgres, Redis (or an in-process cache), telemetry, the server with `/health`, `/ready` and `/metrics`, the
 * workers, and the graceful shutdown on SIGINT/SIGTERM:
 * 1. `"beforeDrain"` workers stop (a consumer finishes the event in hand);
 * 2. the server stops accepting, answers `/ready` 503 and lets in-flight requests finish (`SHUTDOWN_TIMEOUT_MS`);
 * 3. `"afterDrain"` workers stop (the outbox relay publishes what those requests wrote);
 * 4. the workers' Redis connections, the cache, Postgres and tracing close.
 */
export async function runSubgraph<
  TConfig extends SubgraphConfig,
  TDeps extends SubgraphDeps<TConfig>,
  TContext extends SubgraphContext,
>(subgraph: Subgraph<TConfig, TDeps, TContext>): Promise<RunningSubgraph<TConfig>> {
  const { definition } = subgraph;
  const config = configOrExit(() => definition.loadConfig());
  const { service } = config;
  // First, so every span and log line below carries the trace context.
  const tracing = startTracing(config.telemetry);
  const logger = createLogger(service, config.logLevel);
  const db = createDb(config.databaseUrl, { poolSize: config.databasePoolSize });
  let cache: Cache;
  let redis: RedisClient | undefined;
  const workerConnections: RedisClient[] = [];
  if (config.redisUrl) {
    redis = connectRedis(config.redisUrl, service, {
      cluster: config.redisCluster,
      commandTimeoutMs: config.redisCommandTimeoutMs,
      logger,
    });
    cache = createRedisCache(redis, {
      onError: (error) => logger.warn({ err: error }, "cache unavailable; answered as a miss"),
    });
  } else {
    cache = createMemoryCache();
    logger.warn(`REDIS_URL is not set: ${definition.withoutRedis}`);
  }
  const connectWorkerRedis = config.redisUrl
    ? (purpose: string, { commandTimeoutMs = config.redisCommandTimeoutMs }: { commandTimeoutMs?: number } = {}) => {
        const connection = connectRedis(config.redisUrl as string, `${service}-${purpose}`, {
          cluster: config.redisCluster,
          commandTimeoutMs,
          logger,
        });
        workerConnections.push(connection);
        return connection;
      }
    : undefined;
  const telemetry = subgraphTelemetry({
    service,
    resolverSpans: config.telemetry.resolverSpans,
    logger,
    db,
    cache,
    redis,
    poolStats: () => poolStats(db),
  });
  const resources: SubgraphResources<TConfig> = {
    config,
    logger,
    db,
    cache,
    redis,
    connectRedis: connectWorkerRedis,
    telemetry,
  };
  const deps = subgraph.deps(resources);
  const workers = definition.workers?.(deps, resources) ?? [];
  const served = await subgraph.serve(deps, {
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  });
  if (!config.routerSecret)
    logger.warn("ROUTER_SECRET is not set: this subgraph answers any caller, not only the router");
  logger.info({ url: served.url }, `${service} subgraph ready`);
  for (const worker of workers) {
    worker.start();
    logger.info({ worker: worker.name }, "worker started");
  }

  let stopped: Promise<void> | undefined;
  async function stopAll(): Promise<void> {
    try {
      await stopWorkers(
        workers.filter((worker) => worker.stopWhen === "beforeDrain"),
        logger,
      );
      // Drains in-flight requests first, then releases the connections they used.
      await served.stop();
      await stopWorkers(
        workers.filter((worker) => worker.stopWhen === "afterDrain"),
        logger,
      );
    } finally {
      await Promise.allSettled([
        ...workerConnections.map((c) => c.quit().catch(() => c.disconnect())),
        cache.close(),
        db.$disconnect(),
        tracing.shutdown(),
      ]);
    }
  }
  const shutdown = (): Promise<void> => (stopped ??= stopAll());

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting for requests to drain");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, "shutting down: draining in-flight requests");
    // The drain is bounded by SHUTDOWN_TIMEOUT_MS; should closing the rest hang too, exit anyway.
    setTimeout(() => {
      logger.error("shutdown did not finish in time; exiting");
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000).unref();
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return { ...resources, served, shutdown };
}
