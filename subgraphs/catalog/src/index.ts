import { connectRedis, createMemoryCache, createRedisCache, type Cache } from "@commerce/cache";
import { ConfigError, createLogger } from "@commerce/common";
import { createDb, poolStats } from "@commerce/db";
import { serveGraphQL } from "@commerce/http";
import { loadTelemetryConfig, startTracing, subgraphTelemetry } from "@commerce/telemetry";
import { loadConfig, SERVICE_NAME } from "./config.js";
import { createContext, createServer, type CatalogDeps } from "./server.js";

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

const config = configOrExit(loadConfig);
const telemetryConfig = configOrExit(() => loadTelemetryConfig(SERVICE_NAME));
// First, so every span and log line below carries the trace context.
const tracing = startTracing(telemetryConfig);
const logger = createLogger(SERVICE_NAME, config.logLevel);
const db = createDb(config.databaseUrl);
let cache: Cache;
let redis: ReturnType<typeof connectRedis> | undefined;
if (config.redisUrl) {
  redis = connectRedis(config.redisUrl, SERVICE_NAME);
  redis.on("error", (error: unknown) => logger.warn({ err: error }, "redis connection error"));
  cache = createRedisCache(redis, { onError: (error) => logger.warn({ err: error }, "cache unavailable; reading Postgres instead") });
} else {
  cache = createMemoryCache();
  logger.warn("REDIS_URL is not set: caching in this process only (not shared between instances, invalidation stays local)");
}
const telemetry = subgraphTelemetry({ service: SERVICE_NAME, resolverSpans: telemetryConfig.resolverSpans, logger, db, cache, redis, poolStats: () => poolStats(db) });
const deps: CatalogDeps = { db, cache, logger, config, telemetry };
const served = await serveGraphQL({
  apollo: () => createServer(deps),
  context: createContext(deps),
  port: config.port,
  host: config.host,
  // Only the router may call this subgraph (x-router-signature); /health, /ready and /metrics stay open.
  routerSecret: config.routerSecret,
  ...telemetry.serve,
});
if (!config.routerSecret) logger.warn("ROUTER_SECRET is not set: this subgraph answers any caller, not only the router");
logger.info({ url: served.url }, "catalog subgraph ready");

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  try {
    // Drains in-flight requests first, then releases the connections they used.
    await served.stop();
  } finally {
    await Promise.allSettled([cache.close(), db.$disconnect(), tracing.shutdown()]);
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
