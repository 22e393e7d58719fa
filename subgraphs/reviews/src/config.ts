import type { Env } from "@commerce/common";
import { loadSubgraphConfig, type SubgraphConfig } from "@commerce/subgraph";

export const SERVICE_NAME = "reviews";

/** Reviews have no settings of their own: the common subgraph ones (`PORT` default 4005). */
export type Config = SubgraphConfig;

/** Parses the environment once; throws one ConfigError listing every problem and what to set. */
export function loadConfig(env: Env = process.env): Config {
  return loadSubgraphConfig({ service: SERVICE_NAME, port: 4005 }, env);
}
