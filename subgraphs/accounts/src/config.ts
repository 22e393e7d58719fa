import { ConfigError, readEnv, type Env } from "@commerce/common";
import { DEV_JWT_SECRET } from "@commerce/auth";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const NODE_ENVS = ["development", "test", "production"] as const;

/** The accounts service's settings, parsed once from the environment. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  /** Unset: run with an in-process cache instead of Redis. */
  readonly redisUrl: string | undefined;
  /** HS256 secret for access tokens, shared with the verifiers. */
  readonly jwtSecret: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** scrypt cost as log2 N. */
  readonly passwordHashCost: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly nodeEnv: (typeof NODE_ENVS)[number];
  /** `ROUTER_SECRET`: only requests signed with it (by the router) are served; required in production, unset → unguarded. */
  readonly routerSecret: string | undefined;
}

const MIN_JWT_SECRET_LENGTH = 32;

/**
 * Reads the accounts configuration from `env`, applying defaults. Every problem
 * is reported at once in one ConfigError that names the variables to set.
 */
export function loadConfig(env: Env = process.env): Config {
  const read = readEnv("accounts", env);
  const extra: string[] = [];

  const nodeEnv = read.oneOf("NODE_ENV", NODE_ENVS, "development");
  const production = nodeEnv === "production";
  const port = read.int("PORT", 4001, { min: 0, max: 65_535 });
  const host = read.string("HOST", "0.0.0.0");
  const databaseUrl = read.requiredString("DATABASE_URL", "the Postgres connection string, e.g. postgresql://user:pass@localhost:5432/commerce");
  read.url("DATABASE_URL", undefined, ["postgres:", "postgresql:"]);
  const redisUrl = read.url("REDIS_URL", undefined, ["redis:", "rediss:"]);
  const jwtSecret = production
    ? read.requiredString("JWT_SECRET", `the HS256 secret shared with the router and subgraphs, at least ${MIN_JWT_SECRET_LENGTH} characters`)
    : read.string("JWT_SECRET", DEV_JWT_SECRET);
  const accessTokenTtlSeconds = read.int("ACCESS_TOKEN_TTL_SECONDS", 900, { min: 30, max: 86_400 });
  const refreshTokenTtlSeconds = read.int("REFRESH_TOKEN_TTL_SECONDS", 30 * 86_400, { min: 60, max: 365 * 86_400 });
  const passwordHashCost = read.int("PASSWORD_HASH_COST", 15, { min: 10, max: 20 });
  const logLevel = read.oneOf("LOG_LEVEL", LOG_LEVELS, "info");
  const routerSecret = read.optionalString("ROUTER_SECRET");
  if (production && routerSecret === undefined) extra.push("ROUTER_SECRET is required when NODE_ENV=production: the secret the router signs its requests with");
  if (routerSecret !== undefined && routerSecret.length < 32) extra.push("ROUTER_SECRET must be at least 32 characters");

  if (jwtSecret !== "" && jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
    extra.push(`JWT_SECRET must be at least ${MIN_JWT_SECRET_LENGTH} characters, got ${jwtSecret.length}`);
  }
  if (production && jwtSecret === DEV_JWT_SECRET) extra.push("JWT_SECRET must not be the development secret in production");
  if (refreshTokenTtlSeconds <= accessTokenTtlSeconds) {
    extra.push("REFRESH_TOKEN_TTL_SECONDS must be longer than ACCESS_TOKEN_TTL_SECONDS");
  }

  const problems = [...collectProblems(read.done), ...extra];
  if (problems.length > 0) throw new ConfigError("accounts", problems);

  return Object.freeze({
    port,
    host,
    databaseUrl,
    redisUrl,
    jwtSecret,
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    passwordHashCost,
    logLevel,
    nodeEnv,
    routerSecret,
  });
}

/** The reader's own problems, so ours can join them in one error. */
function collectProblems(done: () => void): readonly string[] {
  try {
    done();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
