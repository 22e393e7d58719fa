import type { Env } from "@commerce/common";
import { loadSubgraphConfig, type SubgraphConfig } from "@commerce/subgraph";
import { hostname } from "node:os";

export const SERVICE_NAME = "loyalty";

/** The loyalty settings: the common subgraph ones (`PORT` default 4004) and its own. */
export interface Config extends SubgraphConfig {
  /** `EVENTS_CONSUMER_NAME`: this instance's name in the consumer group (unique per instance). @default "<hostname>-<pid>" */
  readonly consumerName: string;
  /** `EVENTS_MAX_ATTEMPTS`: deliveries before a failing event goes to the dead-letter stream. @default 5 */
  readonly eventsMaxAttempts: number;
  /** `EVENTS_CLAIM_IDLE_MS`: how long an unacknowledged event waits before another consumer retries it. @default 30000 */
  readonly eventsClaimIdleMs: number;
  /** `EVENTS_BLOCK_MS`: how long one read waits for new events; also about how long stopping the consumer takes. @default 2000 */
  readonly eventsBlockMs: number;
}

/** Parses the environment once; throws one ConfigError listing every problem and what to set. */
export function loadConfig(env: Env = process.env): Config {
  return loadSubgraphConfig({ service: SERVICE_NAME, port: 4004 }, env, (read) => ({
    consumerName: read.string("EVENTS_CONSUMER_NAME", `${hostname()}-${process.pid}`),
    eventsMaxAttempts: read.int("EVENTS_MAX_ATTEMPTS", 5, { min: 1, max: 100 }),
    eventsClaimIdleMs: read.int("EVENTS_CLAIM_IDLE_MS", 30_000, { min: 10, max: 3_600_000 }),
    eventsBlockMs: read.int("EVENTS_BLOCK_MS", 2000, { min: 10, max: 60_000 }),
  }));
}
