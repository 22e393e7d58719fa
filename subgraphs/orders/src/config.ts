import type { Env } from "@commerce/common";
import {
  loadSubgraphConfig,
  readCatalogCallConfig,
  type CatalogCallConfig,
  type SubgraphConfig,
} from "@commerce/subgraph";

export const SERVICE_NAME = "orders";

/** The orders settings: the common subgraph ones (`PORT` default 4003), the catalog calls' and its own. */
export interface Config extends SubgraphConfig, CatalogCallConfig {
  /** `OUTBOX_POLL_INTERVAL_MS`: how often the relay looks for unpublished events. @default 500 */
  readonly outboxPollIntervalMs: number;
  /** `OUTBOX_RETENTION_HOURS`: how long published events stay in the outbox before the relay prunes them. @default 168 */
  readonly outboxRetentionHours: number;
}

/** Parses the environment once; throws one ConfigError listing every problem and what to set. */
export function loadConfig(env: Env = process.env): Config {
  return loadSubgraphConfig({ service: SERVICE_NAME, port: 4003 }, env, (read, common) => ({
    ...readCatalogCallConfig(read, common),
    outboxPollIntervalMs: read.int("OUTBOX_POLL_INTERVAL_MS", 500, { min: 10, max: 60_000 }),
    outboxRetentionHours: read.int("OUTBOX_RETENTION_HOURS", 168, { min: 0, max: 87_600 }),
  }));
}
