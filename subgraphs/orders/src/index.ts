import { connectRedis } from "@commerce/cache";
import { ConfigError, createLogger } from "@commerce/common";
import { createDb } from "@commerce/db";
import { ROUTER_SIGNATURE_HEADER, serveGraphQL, signRouterRequest } from "@commerce/http";
import { createCatalogClient } from "./catalogClient.js";
import { loadConfig, SERVICE_NAME, type Config } from "./config.js";
import { startOutboxRelay, type OutboxRelay } from "./outboxRelay.js";
import { createContext, createServer, type OrdersDeps } from "./server.js";

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
const redis = config.redisUrl ? connectRedis(config.redisUrl, SERVICE_NAME) : undefined;
redis?.on("error", (error: unknown) => logger.warn({ err: error }, "redis connection error"));
let relay: OutboxRelay | undefined;
if (redis) relay = startOutboxRelay({ db, redis, logger, intervalMs: config.outboxPollIntervalMs });
else logger.warn("REDIS_URL is not set: order events stay in the outbox (orders.outbox) until the service runs with Redis");

// Catalog reads are signed like the router's requests: the catalog only answers callers holding ROUTER_SECRET.
const routerSecret = config.routerSecret;
const catalog = createCatalogClient({
  url: config.catalogUrl,
  timeoutMs: config.catalogTimeoutMs,
  retries: config.catalogRetries,
  headers: routerSecret ? () => ({ [ROUTER_SIGNATURE_HEADER]: signRouterRequest(routerSecret) }) : undefined,
});
const deps: OrdersDeps = { db, logger, config, catalog, outboxWritten: () => relay?.nudge() };
const served = await serveGraphQL({
  apollo: () => createServer(deps),
  context: createContext(deps),
  port: config.port,
  host: config.host,
  // Only the router may call this subgraph (x-router-signature); /health stays open.
  routerSecret: config.routerSecret,
});
if (!config.routerSecret) logger.warn("ROUTER_SECRET is not set: this subgraph answers any caller, not only the router");
logger.info({ url: served.url, catalog: config.catalogUrl }, "orders subgraph ready");

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  try {
    // Drains in-flight requests first, then the relay's batch, then releases the connections.
    await served.stop();
    await relay?.stop();
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
