import type { Env } from "@commerce/common";
import {
  loadSubgraphConfig,
  readCatalogCallConfig,
  type CatalogCallConfig,
  type SubgraphConfig,
} from "@commerce/subgraph";

export const SERVICE_NAME = "reviews";

/** The reviews settings: the common subgraph ones (`PORT` default 4005) and the catalog calls' (createReview checks the product). */
export interface Config extends SubgraphConfig, CatalogCallConfig {}

/** Parses the environment once; throws one ConfigError listing every problem and what to set. */
export function loadConfig(env: Env = process.env): Config {
  return loadSubgraphConfig({ service: SERVICE_NAME, port: 4005 }, env, readCatalogCallConfig);
}
