import type { Env } from "@commerce/common";
import { loadSubgraphConfig, type SubgraphConfig } from "@commerce/subgraph";

export const SERVICE_NAME = "catalog";

/** The catalog settings: the common subgraph ones (`PORT` default 4002) and its own. */
export interface Config extends SubgraphConfig {
  /** `CACHE_TTL_SECONDS`: lifetime of cached products and categories. @default 300 */
  readonly cacheTtlSeconds: number;
}

/** Parses the environment once; throws one ConfigError listing every problem and what to set. */
export function loadConfig(env: Env = process.env): Config {
  return loadSubgraphConfig({ service: SERVICE_NAME, port: 4002 }, env, (read) => ({
    cacheTtlSeconds: read.int("CACHE_TTL_SECONDS", 300, { min: 1, max: 86_400 }),
  }));
}
