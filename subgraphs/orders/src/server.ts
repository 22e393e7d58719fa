import { catalogClientFor, defineSubgraph, type CatalogClient, type SubgraphDeps } from "@commerce/subgraph";
import { loadConfig, type Config } from "./config.js";
import { requestContext } from "./context.js";
import { createOrderFeed, type OrderFeed } from "./orderFeed.js";
import { createOutboxRelay, type OutboxRelay } from "./outboxRelay.js";
import { permissions } from "./permissions.js";
import { resolvers } from "./resolvers/index.js";

export type { Context } from "./context.js";
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from "./outboxRelay.js";
export { createOrderFeed, type OrderFeed, type OrderFeedOptions } from "./orderFeed.js";
export { ORDER_STATUS_CHANGED, type OrderStatusChangedV1 } from "./events.js";

/** How long the order feed's XREAD waits for events (its connection's command timeout allows for it). */
const FEED_BLOCK_MS = 1000;

/** The long-lived dependencies an orders server is built from. */
export interface OrdersDeps extends SubgraphDeps<Config> {
  /** Where product prices, names and availability come from (authoritative, never the client). */
  catalog: CatalogClient;
  /** The outbox relay, when there is Redis to publish to (run by the kit as a worker). */
  relay?: OutboxRelay | undefined;
  /** Called after a transaction wrote an outbox event (the relay publishes it without waiting for its next poll). */
  outboxWritten?: () => void;
  /** The order changes subscriptions follow (run by the kit as a worker); without Redis they fail with SUBGRAPH_UNAVAILABLE. */
  orderFeed?: OrderFeed | undefined;
}

/** The orders subgraph: src/index.ts runs it; tests build its server with their own deps. */
export const subgraph = defineSubgraph({
  schema: new URL("../schema.graphql", import.meta.url),
  resolvers,
  permissions,
  loadConfig,
  withoutRedis:
    "order events stay in the outbox (orders.outbox) until the service runs with Redis, and subscriptions fail",
  deps({ db, redis, connectRedis, logger, config, telemetry }): OrdersDeps {
    const relay =
      redis &&
      createOutboxRelay({
        db,
        redis,
        logger,
        intervalMs: config.outboxPollIntervalMs,
        retentionMs: config.outboxRetentionHours * 3_600_000,
      });
    // Its own connection: the feed blocks in XREAD.
    const feedRedis = connectRedis?.("order feed", { commandTimeoutMs: FEED_BLOCK_MS + config.redisCommandTimeoutMs });
    const orderFeed =
      feedRedis &&
      createOrderFeed({ redis: feedRedis, db, logger, blockMs: FEED_BLOCK_MS, batches: telemetry.batches });
    // Catalog reads are signed under orders' own identity (SERVICE_SECRET), which the catalog trusts by name and key.
    return {
      db,
      logger,
      config,
      telemetry,
      catalog: catalogClientFor(config, logger),
      relay,
      outboxWritten: () => relay?.nudge(),
      orderFeed,
    };
  },
  context: requestContext,
  subscriptions: true,
  workers: ({ relay, orderFeed }) => [...(relay ? [relay] : []), ...(orderFeed ? [orderFeed] : [])],
});
