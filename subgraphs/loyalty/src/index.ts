import { connectRedis, type RedisClient } from "@commerce/cache";
import { runSubgraph } from "@commerce/subgraph";
import { loadConfig, SERVICE_NAME } from "./config.js";
import { startOrderEventsConsumer, type OrderEventsConsumer } from "./orderEventsConsumer.js";
import { createContext, createServer } from "./server.js";

let consumer: OrderEventsConsumer | undefined;
// Its own connection: the consumer's blocks in XREADGROUP, the shared one answers /ready.
let eventsRedis: RedisClient | undefined;
const { config, db, logger } = await runSubgraph({
  service: SERVICE_NAME,
  loadConfig,
  withoutRedis: "no points are credited until loyalty runs with Redis (completed orders wait in the stream)",
  deps: ({ db, logger, config, telemetry }) => ({ db, logger, config, telemetry }),
  createServer,
  createContext,
  // The consumer finishes its batch (unacknowledged events stay pending for the next start), then requests drain.
  beforeStop: async () => consumer?.stop(),
  afterStop: async () => void (await eventsRedis?.quit().catch(() => eventsRedis?.disconnect())),
});

if (config.redisUrl) {
  // A blocking read waits up to EVENTS_BLOCK_MS for new events: its command timeout covers that wait.
  eventsRedis = connectRedis(config.redisUrl, `${SERVICE_NAME}-events`, {
    cluster: config.redisCluster,
    commandTimeoutMs: config.eventsBlockMs + config.redisCommandTimeoutMs,
    logger,
  });
  consumer = await startOrderEventsConsumer({
    db,
    redis: eventsRedis,
    logger,
    consumer: config.consumerName,
    maxAttempts: config.eventsMaxAttempts,
    claimIdleMs: config.eventsClaimIdleMs,
    blockMs: config.eventsBlockMs,
  });
  logger.info({ consumer: config.consumerName }, "consuming order events");
}
