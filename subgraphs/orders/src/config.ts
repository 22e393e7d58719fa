import { readEnv, type Env } from "@commerce/common";
import { finishConfig, readSubgraphConfig, type SubgraphConfig } from "@commerce/subgraph";

export const SERVICE_NAME = "orders";

/** The orders settings: the common subgraph ones (`PORT` default 4003) and its own. */
export interface Config extends SubgraphConfig {
  /** `SUBGRAPH_CATALOG_URL`: the catalog subgraph's GraphQL endpoint. @default "http://localhost:4002/graphql" */
  readonly catalogUrl: string;
  /** `CATALOG_TIMEOUT_MS`: per attempt. @default 2000 */
  readonly catalogTimeoutMs: number;
  /** `CATALOG_RETRIES`: extra attempts after a network error, timeout or 5xx. @default 2 */
  readonly catalogRetries: number;
  /** `OUTBOX_POLL_INTERVAL_MS`: how often the relay looks for unpublished events. @default 500 */
  readonly outboxPollIntervalMs: number;
}

/** Parses the environment once; throws one ConfigError listing every problem and what to set. */
export function loadConfig(env: Env = process.env): Config {
  const read = readEnv(SERVICE_NAME, env);
  return finishConfig(read, {
    ...readSubgraphConfig(read, { service: SERVICE_NAME, port: 4003 }),
    catalogUrl: read.url("SUBGRAPH_CATALOG_URL", "http://localhost:4002/graphql", ["http:", "https:"]) ?? "http://localhost:4002/graphql",
    catalogTimeoutMs: read.int("CATALOG_TIMEOUT_MS", 2000, { min: 50, max: 60_000 }),
    catalogRetries: read.int("CATALOG_RETRIES", 2, { min: 0, max: 10 }),
    outboxPollIntervalMs: read.int("OUTBOX_POLL_INTERVAL_MS", 500, { min: 10, max: 60_000 }),
  });
}
