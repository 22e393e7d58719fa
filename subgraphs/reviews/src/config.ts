import { readEnv, type Env } from "@commerce/common";
import {
  finishConfig,
  readCatalogCallConfig,
  readSubgraphConfig,
  type CatalogCallConfig,
  type SubgraphConfig,
} from "@commerce/subgraph";

export const SERVICE_NAME = "reviews";

/** The reviews settings: the common subgraph ones (`PORT` default 4005) and the catalog calls' (createReview checks the product). */
export interface Config extends SubgraphConfig, CatalogCallConfig {}

/** Parses the environment once; throws one ConfigError listing every problem and what to set. */
export function loadConfig(env: Env = process.env): Config {
  const read = readEnv(SERVICE_NAME, env);
  const common = readSubgraphConfig(read, { service: SERVICE_NAME, port: 4005 });
  return finishConfig(read, {
    ...common,
    ...readCatalogCallConfig(read, { service: SERVICE_NAME, nodeEnv: common.nodeEnv }),
  });
}
