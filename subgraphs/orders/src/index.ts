import { catalogClientFor, runSubgraph } from "@commerce/subgraph";
import { loadConfig, SERVICE_NAME } from "./config.js";
import { startOutboxRelay, type OutboxRelay } from "./outboxRelay.js";
import { createContext, createServer } from "./server.js";

let relay: OutboxRelay | undefined;
await runSubgraph({
  service: SERVICE_NAME,
  loadConfig,
  withoutRedis: "order events stay in the outbox (orders.outbox) until the service runs with Redis",
  deps({ db, redis, logger, config, telemetry }) {
    if (redis) relay = startOutboxRelay({ db, redis, logger, intervalMs: config.outboxPollIntervalMs, retentionMs: config.outboxRetentionHours * 3_600_000 });
    // Catalog reads are signed like the router's requests: the catalog only answers callers holding ROUTER_SECRET.
    const catalog = catalogClientFor(config, logger);
    return { db, logger, config, catalog, outboxWritten: () => relay?.nudge(), telemetry };
  },
  createServer,
  createContext,
  // After requests drain: the relay publishes its last batch before Redis closes.
  afterStop: async () => relay?.stop(),
});
