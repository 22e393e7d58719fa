import type { Env } from "@commerce/common";
import { loadSubgraphConfig, type SubgraphConfig } from "@commerce/subgraph";

export const SERVICE_NAME = "accounts";

/** The accounts settings: the common subgraph ones (`PORT` default 4001) and its own. */
export interface Config extends SubgraphConfig {
  /** `ACCESS_TOKEN_TTL_SECONDS`: lifetime of an access token. @default 900 */
  readonly accessTokenTtlSeconds: number;
  /** `REFRESH_TOKEN_TTL_SECONDS`: lifetime of a refresh token, longer than the access token's. @default 2592000 (30 days) */
  readonly refreshTokenTtlSeconds: number;
  /** `PASSWORD_HASH_COST`: scrypt cost as log2 N. @default 15 */
  readonly passwordHashCost: number;
}

/**
 * Reads the accounts configuration from `env`, applying defaults. Every problem
 * is reported at once in one ConfigError that names the variables to set.
 */
export function loadConfig(env: Env = process.env): Config {
  return loadSubgraphConfig({ service: SERVICE_NAME, port: 4001 }, env, (read) => {
    const accessTokenTtlSeconds = read.int("ACCESS_TOKEN_TTL_SECONDS", 900, { min: 30, max: 86_400 });
    const refreshTokenTtlSeconds = read.int("REFRESH_TOKEN_TTL_SECONDS", 30 * 86_400, { min: 60, max: 365 * 86_400 });
    if (refreshTokenTtlSeconds <= accessTokenTtlSeconds)
      read.problem("REFRESH_TOKEN_TTL_SECONDS must be longer than ACCESS_TOKEN_TTL_SECONDS");
    const passwordHashCost = read.int("PASSWORD_HASH_COST", 15, { min: 10, max: 20 });
    return { accessTokenTtlSeconds, refreshTokenTtlSeconds, passwordHashCost };
  });
}
