import { defineSubgraph, type SubgraphDeps } from "@commerce/subgraph";
import { loadConfig, type Config } from "./config.js";
import { requestContext } from "./context.js";
import { createOrderEventsConsumer } from "./orderEventsConsumer.js";
import { permissions } from "./permissions.js";
import { resolvers } from "./resolvers/index.js";

export type { Context } from "./context.js";
export {
  startOrderEventsConsumer,
  type OrderEventsConsumer,
  type OrderEventsConsumerOptions,
} from "./orderEventsConsumer.js";
export { CONSUMER_GROUP, DEAD_LETTER_STREAM } from "./orderEvents.js";

/** The long-lived dependencies a loyalty server is built from. */
export type LoyaltyDeps = SubgraphDeps<Config>;

/** The loyalty subgraph: src/index.ts runs it; tests build its server with their own deps. */
export const subgraph = defineSubgraph({
  schema: new URL("../schema.graphql", import.meta.url),
  resolvers,
  permissions,
  loadConfig,
  withoutRedis: "no points are credited until loyalty runs with Redis (completed orders wait in the stream)",
  context: requestContext,
  workers({ db, logger, config }, { connectRedis }) {
    // Its own connection: the consumer blocks in XREADGROUP for up to EVENTS_BLOCK_MS, so its command timeout covers that wait.
    const redis = connectRedis?.("events", { commandTimeoutMs: config.eventsBlockMs + config.redisCommandTimeoutMs });
    if (!redis) return [];
    const {
      consumerName: consumer,
      eventsMaxAttempts: maxAttempts,
      eventsClaimIdleMs: claimIdleMs,
      eventsBlockMs: blockMs,
    } = config;
    return [createOrderEventsConsumer({ db, redis, logger, consumer, maxAttempts, claimIdleMs, blockMs })];
  },
});
