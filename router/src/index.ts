import { connectRedis } from "@commerce/cache";
import { ConfigError, createLogger } from "@commerce/common";
import { serveGraphQL } from "@commerce/http";
import { loadTelemetryConfig, startTracing, type TelemetryConfig } from "@commerce/telemetry";
import { loadConfig } from "./config.js";
import { createRouter } from "./server.js";

let config;
let telemetry: TelemetryConfig;
try {
  config = loadConfig();
  telemetry = loadTelemetryConfig("router");
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
// First, so every span and log line below carries the trace context.
const tracing = startTracing(telemetry);
const logger = createLogger("router", config.logLevel);

try {
  // Commands time out and fail at once while Redis is down: APQ and cost budgets then fail open (see README).
  const redis = config.redisUrl
    ? connectRedis(config.redisUrl, "router", {
        cluster: config.redisCluster,
        commandTimeoutMs: config.redisCommandTimeoutMs,
        logger,
      })
    : undefined;
  if (!redis)
    logger.warn("REDIS_URL is not set: persisted queries are kept in memory and per-client cost budgets are off");
  const router = createRouter({ config, logger, telemetry, redis });
  const served = await serveGraphQL({
    apollo: () => router.apollo,
    context: router.context,
    cors: router.cors,
    routes: router.routes,
    middleware: router.middleware,
    metrics: router.metrics,
    readiness: router.readiness,
    streams: router.streams,
    path: router.path,
    bodyLimit: router.bodyLimit,
    trustProxy: config.trustProxy,
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  });
  logger.info(`router ready at ${served.url}`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting for requests to drain");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, "router stopping: draining in-flight requests");
    // The drain is bounded by SHUTDOWN_TIMEOUT_MS; should closing the rest hang too, exit anyway.
    setTimeout(() => {
      logger.error("router did not stop in time; exiting");
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000).unref();
    served
      .stop()
      .finally(() => tracing.shutdown())
      .finally(() => redis?.quit().catch(() => redis.disconnect()))
      .then(
        () => {
          logger.info("router stopped");
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, "router did not stop cleanly");
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
} catch (error) {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "router failed to start");
  process.exitCode = 1;
}
