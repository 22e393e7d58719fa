import { ConfigError, readEnv, type Env, type EnvReader } from "@commerce/common";
import { DEV_JWT_SECRET } from "@commerce/auth";
import { readRedisConfig, type RedisConfig } from "@commerce/cache";
import { SERVICE_NAME_PATTERN } from "@commerce/http";
import { readTelemetryConfig, type TelemetryConfig } from "@commerce/telemetry";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const NODE_ENVS = ["development", "test", "production"] as const;

/**
 * The settings every subgraph reads; a subgraph's own Config extends it with its domain keys. Redis
 * ({@link RedisConfig}): when `REDIS_URL` is unset the cache is in-process and `/ready` has no Redis to check (one log
 * line says so).
 */
export interface SubgraphConfig extends RedisConfig {
  /** The service's name in logs and Redis connection names (traces take `OTEL_SERVICE_NAME`, by default the same). */
  readonly service: string;
  /** `PORT`. @default the service's own port */
  readonly port: number;
  /** `HOST`. @default "0.0.0.0" */
  readonly host: string;
  /** `DATABASE_URL` (required): postgres:// or postgresql://. */
  readonly databaseUrl: string;
  /** `DATABASE_POOL_SIZE`: Postgres connections this process may open (replicas × this ≤ the server's max_connections). @default 10 */
  readonly databasePoolSize: number;
  /** `SHUTDOWN_TIMEOUT_MS`: after SIGTERM, how long in-flight requests may take to finish before connections are closed. @default 10000 */
  readonly shutdownTimeoutMs: number;
  /** `JWT_SECRET`: required in production (≥ 32 characters), else {@link DEV_JWT_SECRET}. */
  readonly jwtSecret: string;
  /** `ROUTER_SECRET`: only requests signed with it (by the router) are served; required in production, unset → unguarded. */
  readonly routerSecret: string | undefined;
  /**
   * `TRUSTED_SERVICES`: `<service>:<key>,…`, the services that may call this subgraph under their own identity
   * (`x-service-signature`, queries of `_entities` only) besides the router, each with its key (≥ 32 characters;
   * the caller's `SERVICE_SECRET`). Needs `ROUTER_SECRET` (without it no caller is checked). @default none
   */
  readonly trustedServices: ReadonlyMap<string, string>;
  /** `LOG_LEVEL`. @default "info" */
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** `NODE_ENV`. @default "development" */
  readonly nodeEnv: (typeof NODE_ENVS)[number];
  /** The standard `OTEL_*` variables and `TRACING_RESOLVERS`. */
  readonly telemetry: TelemetryConfig;
}

const MIN_SECRET_LENGTH = 32;

/**
 * Reads the common subgraph settings with the service's reader, so its own keys' problems are
 * reported together with these. Finish with {@link finishConfig}.
 */
function readSubgraphConfig(read: EnvReader, { service, port }: { service: string; port: number }): SubgraphConfig {
  const nodeEnv = read.oneOf("NODE_ENV", NODE_ENVS, "development");
  const production = nodeEnv === "production";
  const databaseUrl = read.requiredString(
    "DATABASE_URL",
    "set it to the Postgres URL, e.g. postgresql://user:pass@localhost:5432/commerce",
  );
  if (databaseUrl !== "") read.url("DATABASE_URL", undefined, ["postgres:", "postgresql:"]);
  const redis = readRedisConfig(read);
  const jwtSecret = read.optionalString("JWT_SECRET");
  if (production) {
    if (jwtSecret === undefined)
      read.problem(
        "JWT_SECRET is required when NODE_ENV=production: set it to the secret shared with accounts and the router",
      );
    else if (jwtSecret === DEV_JWT_SECRET)
      read.problem("JWT_SECRET must not be the development secret when NODE_ENV=production");
  }
  if (jwtSecret !== undefined && jwtSecret.length < MIN_SECRET_LENGTH)
    read.problem(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  const routerSecret = read.optionalString("ROUTER_SECRET");
  if (production && routerSecret === undefined)
    read.problem("ROUTER_SECRET is required when NODE_ENV=production: the secret the router signs its requests with");
  if (routerSecret !== undefined && routerSecret.length < MIN_SECRET_LENGTH)
    read.problem(`ROUTER_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  const trustedServices = readTrustedServices(read);
  if (trustedServices.size > 0 && routerSecret === undefined)
    read.problem("TRUSTED_SERVICES needs ROUTER_SECRET: without it this subgraph checks no caller at all");
  return {
    service,
    port: read.int("PORT", port, { min: 0, max: 65_535 }),
    host: read.string("HOST", "0.0.0.0"),
    databaseUrl,
    databasePoolSize: read.int("DATABASE_POOL_SIZE", 10, { min: 1, max: 1_000 }),
    ...redis,
    shutdownTimeoutMs: read.int("SHUTDOWN_TIMEOUT_MS", 10_000, { min: 0, max: 600_000 }),
    jwtSecret: jwtSecret ?? DEV_JWT_SECRET,
    routerSecret,
    trustedServices,
    logLevel: read.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    nodeEnv,
    telemetry: readTelemetryConfig(read, service),
  };
}

/**
 * `TRUSTED_SERVICES` (`orders:<key>,reviews:<key>`): problems name the service, never echo a key. Split at the
 * first `:` of each entry, so a key may hold `:` but not `,`.
 */
function readTrustedServices(read: EnvReader): ReadonlyMap<string, string> {
  const trusted = new Map<string, string>();
  const raw = read.optionalString("TRUSTED_SERVICES");
  if (raw === undefined) return trusted;
  for (const [index, entry] of raw.split(",").entries()) {
    const colon = entry.indexOf(":");
    const name = colon < 0 ? "" : entry.slice(0, colon).trim();
    const key = colon < 0 ? "" : entry.slice(colon + 1).trim();
    if (!SERVICE_NAME_PATTERN.test(name) || key === "")
      read.problem(
        `TRUSTED_SERVICES must be a comma-separated list of <service>:<key> (service in lower case, e.g. orders:<key>): entry ${index + 1} is not`,
      );
    else if (name === "router")
      read.problem('TRUSTED_SERVICES must not name "router": the router signs with ROUTER_SECRET');
    else if (trusted.has(name)) read.problem(`TRUSTED_SERVICES names "${name}" twice`);
    else if (key.length < MIN_SECRET_LENGTH)
      read.problem(`TRUSTED_SERVICES: the key of "${name}" must be at least ${MIN_SECRET_LENGTH} characters`);
    else trusted.set(name, key);
  }
  return trusted;
}

/** How a subgraph calls the catalog (orders prices the items of an order, reviews checks a product exists). */
export interface CatalogCallConfig {
  /** `SUBGRAPH_CATALOG_URL`: the catalog subgraph's GraphQL endpoint. @default "http://localhost:4002/graphql" */
  readonly catalogUrl: string;
  /** `CATALOG_TIMEOUT_MS`: per attempt. @default 2000 */
  readonly catalogTimeoutMs: number;
  /** `CATALOG_RETRIES`: extra attempts after a refused connection or a 502/503/504, within the retry budget. @default 2 */
  readonly catalogRetries: number;
  /** The name this service signs its catalog calls with (`x-service-signature`): its service name. */
  readonly serviceName: string;
  /**
   * `SERVICE_SECRET`: the key this service signs its catalog calls with, under its own identity; the catalog's
   * `TRUSTED_SERVICES` holds it as `<service>:<key>`. Required in production (≥ 32 characters); unset → unsigned.
   */
  readonly serviceSecret: string | undefined;
}

/** Reads the catalog call settings with the service's reader, for the service `service` running under `nodeEnv`. */
export function readCatalogCallConfig(
  read: EnvReader,
  { service, nodeEnv }: { service: string; nodeEnv: SubgraphConfig["nodeEnv"] },
): CatalogCallConfig {
  const serviceSecret = read.optionalString("SERVICE_SECRET");
  if (nodeEnv === "production" && serviceSecret === undefined)
    read.problem(
      `SERVICE_SECRET is required when NODE_ENV=production: the key ${service} signs its catalog calls with (the catalog trusts it as ${service}:<key> in TRUSTED_SERVICES)`,
    );
  if (serviceSecret !== undefined && serviceSecret.length < MIN_SECRET_LENGTH)
    read.problem(`SERVICE_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  return {
    serviceName: service,
    serviceSecret,
    catalogUrl:
      read.url("SUBGRAPH_CATALOG_URL", "http://localhost:4002/graphql", ["http:", "https:"]) ??
      "http://localhost:4002/graphql",
    catalogTimeoutMs: read.int("CATALOG_TIMEOUT_MS", 2000, { min: 50, max: 60_000 }),
    catalogRetries: read.int("CATALOG_RETRIES", 2, { min: 0, max: 10 }),
  };
}

/** Throws one ConfigError listing every problem the reader recorded, else returns the config frozen. */
function finishConfig<T extends SubgraphConfig>(read: EnvReader, config: T): Readonly<T> {
  read.done();
  return Object.freeze(config);
}

/**
 * A subgraph's config, read once from `env`: the common settings (`PORT` defaulting to the service's `port`) and,
 * with the same reader, the service's own from `readOwn` (which may look at the common ones, e.g. `nodeEnv`). Every
 * problem of both is reported in one ConfigError that names the variables to set; the config comes back frozen.
 * A subgraph's config.ts is this call with its own reader.
 */
export function loadSubgraphConfig<TOwn extends object = object>(
  options: { service: string; port: number },
  env: Env = process.env,
  readOwn?: (read: EnvReader, common: SubgraphConfig) => TOwn,
): Readonly<SubgraphConfig & TOwn> {
  const read = readEnv(options.service, env);
  const common = readSubgraphConfig(read, options);
  return finishConfig(read, { ...common, ...(readOwn?.(read, common) as TOwn) });
}

export { ConfigError };
