import { connectRedis, createMemoryCache, createRedisCache, type Cache } from "@commerce/cache";
import { ConfigError, createLogger } from "@commerce/common";
import { createDb, poolStats } from "@commerce/db";
import { serveGraphQL } from "@commerce/http";
import { loadTelemetryConfig, startTracing, subgraphTelemetry } from "@commerce/telemetry";
import { loadConfig } from "./config.js";
import { createContext, createServer } from "./server.js";

function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const config = configOrExit(loadConfig);
const telemetryConfig = configOrExit(() => loadTelemetryConfig("accounts"));
// First, so every span and log line below carries the trace context.
const tracing = startTracing(telemetryConfig);
const logger = createLogger("accounts", config.logLevel);
const db = createDb(config.databaseUrl);
let cache: Cache;
let redis: ReturnType<typeof connectRedis> | undefined;
if (config.redisUrl) {
  redis = connectRedis(config.redisUrl, "accounts");
  cache = createRedisCache(redis, {
    onError: (err) => logger.warn({ err }, "cache error, answered as a miss"),
  });
} else {
  cache = createMemoryCache();
  logger.warn("REDIS_URL is not set: caching in process memory (not shared between instances)");
}

const telemetry = subgraphTelemetry({ service: "accounts", resolverSpans: telemetryConfig.resolverSpans, logger, db, cache, redis, poolStats: () => poolStats(db) });
const deps = { db, cache, logger, config, telemetry };
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
logger.info({ url: served.url }, "accounts subgraph ready");

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  try {
    await served.stop();
  } finally {
    await Promise.allSettled([db.$disconnect(), cache.close(), tracing.shutdown()]);
    logger.info("stopped");
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
