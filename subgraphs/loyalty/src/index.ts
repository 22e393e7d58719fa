import { connectRedis } from "@commerce/cache";
import { ConfigError, createLogger } from "@commerce/common";
import { createDb } from "@commerce/db";
import { serveGraphQL } from "@commerce/http";
import { loadConfig, SERVICE_NAME, type Config } from "./config.js";
import { startOrderEventsConsumer, type OrderEventsConsumer } from "./orderEventsConsumer.js";
import { createContext, createServer, type LoyaltyDeps } from "./server.js";

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // One readable block listing every variable to fix, not a stack trace.
    console.error(error.message);
    process.exit(1);
  }
}

const config = configOrExit();
const logger = createLogger(SERVICE_NAME, config.logLevel);
const db = createDb(config.databaseUrl);
const deps: LoyaltyDeps = { db, logger, config };
const served = await serveGraphQL({
  apollo: () => createServer(deps),
  context: createContext(deps),
  port: config.port,
  host: config.host,
  // Only the router may call this subgraph (x-router-signature); /health stays open.
  routerSecret: config.routerSecret,
});
if (!config.routerSecret) logger.warn("ROUTER_SECRET is not set: this subgraph answers any caller, not only the router");
logger.info({ url: served.url }, "loyalty subgraph ready");

const redis = config.redisUrl ? connectRedis(config.redisUrl, `${SERVICE_NAME}-events`) : undefined;
redis?.on("error", (error: unknown) => logger.warn({ err: error }, "redis connection error"));
let consumer: OrderEventsConsumer | undefined;
if (redis) {
  consumer = await startOrderEventsConsumer({
    db,
    redis,
    logger,
    consumer: config.consumerName,
    maxAttempts: config.eventsMaxAttempts,
    claimIdleMs: config.eventsClaimIdleMs,
  });
  logger.info({ consumer: config.consumerName }, "consuming order events");
} else {
  logger.warn("REDIS_URL is not set: no points are credited until loyalty runs with Redis (completed orders wait in the stream)");
}

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  try {
    // The consumer finishes its batch (unacknowledged events stay pending for the next start), then requests drain.
    await consumer?.stop();
    await served.stop();
  } finally {
    await Promise.allSettled([redis?.quit(), db.$disconnect()]);
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
