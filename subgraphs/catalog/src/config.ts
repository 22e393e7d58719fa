import { ConfigError, readEnv, type Env } from "@commerce/common";
import { DEV_JWT_SECRET } from "@commerce/auth";

export const SERVICE_NAME = "catalog";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const NODE_ENVS = ["development", "test", "production"] as const;

export interface Config {
  /** `PORT`. @default 4002 */
  readonly port: number;
  /** `HOST`. @default "0.0.0.0" */
  readonly host: string;
  /** `DATABASE_URL` (required): postgres:// or postgresql://. */
  readonly databaseUrl: string;
  /** `REDIS_URL`; when unset the cache is in-process (one log line says so). */
  readonly redisUrl: string | undefined;
  /** `JWT_SECRET`: required in production (≥ 32 characters), else {@link DEV_JWT_SECRET}. */
  readonly jwtSecret: string;
  /** `CACHE_TTL_SECONDS`: lifetime of cached products and categories. @default 300 */
  readonly cacheTtlSeconds: number;
  /** `LOG_LEVEL`. @default "info" */
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** `NODE_ENV`. @default "development" */
  readonly nodeEnv: (typeof NODE_ENVS)[number];
  /** `ROUTER_SECRET`: only requests signed with it (by the router) are served; required in production, unset → unguarded. */
  readonly routerSecret: string | undefined;
}

/** Parses the environment once; throws one ConfigError listing every problem and what to set. */
export function loadConfig(env: Env = process.env): Config {
  const read = readEnv(SERVICE_NAME, env);
  const extra: string[] = [];
  const nodeEnv = read.oneOf("NODE_ENV", NODE_ENVS, "development");
  const databaseUrl = read.requiredString("DATABASE_URL", "set it to the Postgres URL, e.g. postgresql://user:pass@localhost:5432/commerce");
  if (databaseUrl !== "") read.url("DATABASE_URL", undefined, ["postgres:", "postgresql:"]);
  const redisUrl = read.url("REDIS_URL", undefined, ["redis:", "rediss:"]);
  let jwtSecret = read.optionalString("JWT_SECRET");
  if (nodeEnv === "production") {
    if (jwtSecret === undefined) extra.push("JWT_SECRET is required when NODE_ENV=production: set it to the secret shared with accounts and the router");
    else if (jwtSecret === DEV_JWT_SECRET) extra.push("JWT_SECRET must not be the development secret when NODE_ENV=production");
  }
  if (jwtSecret !== undefined && jwtSecret.length < 32) extra.push("JWT_SECRET must be at least 32 characters");
  jwtSecret ??= DEV_JWT_SECRET;
  const routerSecret = read.optionalString("ROUTER_SECRET");
  if (nodeEnv === "production" && routerSecret === undefined) extra.push("ROUTER_SECRET is required when NODE_ENV=production: the secret the router signs its requests with");
  if (routerSecret !== undefined && routerSecret.length < 32) extra.push("ROUTER_SECRET must be at least 32 characters");
  const config: Config = {
    port: read.int("PORT", 4002, { min: 0, max: 65_535 }),
    host: read.string("HOST", "0.0.0.0"),
    databaseUrl,
    redisUrl,
    jwtSecret,
    cacheTtlSeconds: read.int("CACHE_TTL_SECONDS", 300, { min: 1, max: 86_400 }),
    logLevel: read.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    nodeEnv,
    routerSecret,
  };
  try {
    read.done();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(SERVICE_NAME, [...error.problems, ...extra]);
  }
  if (extra.length > 0) throw new ConfigError(SERVICE_NAME, extra);
  return Object.freeze(config);
}
