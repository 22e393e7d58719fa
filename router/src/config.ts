import { isIP } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEV_JWT_SECRET } from "@commerce/auth";
import { readAnalysisSettings, type CostSettings, type LimitMode, type OperationLimits } from "@commerce/analysis";
import { readRedisConfig, type RedisConfig } from "@commerce/cache";
import { ConfigError, readEnv, type Env, type EnvReader } from "@commerce/common";
import type { CallPolicyOptions } from "@commerce/resilience";
import type { SubscriptionSettings } from "./subscriptions/subscriptionService.js";

const SERVICE = "router";
const NODE_ENVS = ["development", "test", "production"] as const;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** Studio's hosted Sandbox calls the router from this origin; the embedded Sandbox is same-origin. */
export const STUDIO_ORIGIN = "https://studio.apollographql.com";
/** `SUBGRAPH_<NAME>_URL`: <NAME> is the subgraph's name upper-cased, every other character replaced by `_`. */
const SUBGRAPH_URL_VAR = /^SUBGRAPH_([A-Z0-9_]+)_URL$/;

/** The repo's composed supergraph, found from this file so it works from both src/ and dist/. */
export const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL("../../schema/supergraph.graphql", import.meta.url));

/** The persisted-operation manifest `npm run manifest` writes (from operations/**\/*.graphql). */
export const DEFAULT_MANIFEST_PATH = fileURLToPath(new URL("../persisted-operations.json", import.meta.url));

const AUTHORIZATION_MODES = ["filter", "reject", "dry_run"] as const;
const SAFELIST_MODES = ["off", "log", "safelist"] as const;
const EXECUTORS = ["apollo", "native"] as const;

/**
 * The per-subgraph traffic knobs: `SUBGRAPH_<KNOB>` for every subgraph, `SUBGRAPH_<NAME>_<KNOB>` for one. Each maps
 * to a `CallPolicyOptions` field (defaults in @commerce/resilience), with the range it accepts.
 */
export const SUBGRAPH_POLICY_KNOBS: Readonly<
  Record<string, { option: keyof CallPolicyOptions; min: number; max: number; scale?: number }>
> = {
  TIMEOUT_MS: { option: "timeoutMs", min: 1, max: 60_000 },
  RETRIES: { option: "retries", min: 0, max: 5 },
  RETRY_DELAY_MS: { option: "retryDelayMs", min: 0, max: 10_000 },
  RETRY_MAX_DELAY_MS: { option: "retryMaxDelayMs", min: 0, max: 60_000 },
  RETRY_BUDGET_PERCENT: { option: "retryBudgetRatio", min: 0, max: 100, scale: 0.01 },
  RETRY_BUDGET_MIN: { option: "retryBudgetMinPerWindow", min: 0, max: 10_000 },
  RETRY_BUDGET_WINDOW_MS: { option: "retryBudgetWindowMs", min: 100, max: 600_000 },
  BREAKER_FAILURES: { option: "breakerConsecutiveFailures", min: 0, max: 10_000 },
  BREAKER_ERROR_RATE_PERCENT: { option: "breakerErrorRate", min: 0, max: 100, scale: 0.01 },
  BREAKER_MIN_CALLS: { option: "breakerMinimumCalls", min: 1, max: 1_000_000 },
  BREAKER_WINDOW_MS: { option: "breakerWindowMs", min: 100, max: 600_000 },
  BREAKER_OPEN_MS: { option: "breakerHalfOpenAfterMs", min: 10, max: 600_000 },
};
const SUBGRAPH_KNOB_VAR = new RegExp(`^SUBGRAPH_([A-Z0-9_]+?)_(${Object.keys(SUBGRAPH_POLICY_KNOBS).join("|")})$`);

export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];
export type SafelistMode = (typeof SAFELIST_MODES)[number];
export type ExecutorKind = (typeof EXECUTORS)[number];

/** Express's `trust proxy`: trust every proxy (`true`), none (`false`), a number of hops, or these addresses/subnets. */
export type TrustProxy = boolean | number | readonly string[];
/** Names `proxy-addr` (express's `trust proxy`) accepts besides addresses and subnets. */
const PROXY_PRESETS = ["loopback", "linklocal", "uniquelocal"];

export type NodeEnv = (typeof NODE_ENVS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RouterConfig extends RedisConfig {
  /** `production` turns introspection and the Sandbox landing page off. */
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  /** Absolute path of the supergraph SDL the gateway serves (and watches). */
  readonly supergraphPath: string;
  /** Subgraph URL overrides keyed by the env name of the subgraph (`ACCOUNTS` for `SUBGRAPH_ACCOUNTS_URL`). */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** Browser origins allowed by CORS; `*` allows any. */
  readonly corsOrigins: readonly string[];
  readonly logLevel: LogLevel;
  /** Operation limits (`MAX_QUERY_DEPTH`, …: `LIMIT_VARIABLES` of @commerce/analysis). */
  readonly limits: Readonly<OperationLimits>;
  readonly limitsMode: LimitMode;
  /** Access-token verification: the HS256 secret, or a JWKS URL (RS256/ES256) that takes precedence. */
  readonly jwt: {
    readonly secret: string | undefined;
    readonly jwksUrl: string | undefined;
    readonly issuer: string;
    readonly audience: string;
  };
  readonly authorizationMode: AuthorizationMode;
  /** The cost model (`COST_MODE`, `COST_MAX`, …: @commerce/analysis) and the per-client budget. */
  readonly cost: CostSettings & {
    readonly budget: number;
    readonly budgetWindowSeconds: number;
  };
  /** `SHUTDOWN_TIMEOUT_MS`: after SIGTERM, how long in-flight requests may take to finish before connections are closed. @default 10000 */
  readonly shutdownTimeoutMs: number;
  readonly persistedQueries: {
    readonly apq: boolean;
    readonly apqTtlSeconds: number;
    readonly safelist: SafelistMode;
    readonly manifestPath: string;
  };
  /** Shared with the subgraphs; the router signs every subgraph request with it. */
  readonly routerSecret: string | undefined;
  /** Which proxies' `X-Forwarded-For` names the client (`TRUST_PROXY`); `false`: the socket's peer is the client. */
  readonly trustProxy: TrustProxy;
  /** Who executes query plans (`ROUTER_EXECUTOR`): @apollo/gateway's executor, or the router's own. */
  readonly executor: ExecutorKind;
  /** How the router calls its subgraphs (README "Subgraph traffic"). */
  readonly subgraphTraffic: {
    /** `SUBGRAPH_<KNOB>`: options of every subgraph's call policy (unset ones take the @commerce/resilience defaults). */
    readonly policy: Readonly<CallPolicyOptions>;
    /** `SUBGRAPH_<NAME>_<KNOB>`, keyed by env name (`REVIEWS`): options over `policy` for that subgraph. */
    readonly policies: Readonly<Record<string, Readonly<CallPolicyOptions>>>;
    /** `SUBGRAPH_DEDUPLICATION`: identical queries in flight share one subgraph call. */
    readonly deduplication: boolean;
    /** `SUBGRAPH_CONNECTIONS`: most open connections per subgraph origin. */
    readonly connections: number;
    /** `SUBGRAPH_BREAKER_SETTLE_MS`: `/ready` reports a subgraph degraded this long after its breaker closes again. */
    readonly readySettleMs: number;
  };
  /** `ROUTER_REQUEST_TIMEOUT_MS`: past it the router answers 504 and aborts the subgraph calls in flight; 0 turns it off. */
  readonly requestTimeoutMs: number;
  /** Subscriptions over WebSocket and Server-Sent Events (`SUBSCRIPTIONS_*`, README "Subscriptions"). */
  readonly subscriptions: SubscriptionSettings & {
    /** `SUBSCRIPTIONS_ENABLED`: off, WebSocket upgrades and event-stream requests are refused like any subscription over HTTP. */
    readonly enabled: boolean;
  };
}

/** Parses the router's environment once. Throws one ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): RouterConfig {
  const read = readEnv(SERVICE, env);
  const problems: string[] = [];
  const nodeEnv = read.oneOf("NODE_ENV", NODE_ENVS, "development");
  const supergraphPath = resolve(read.string("SUPERGRAPH_PATH", DEFAULT_SUPERGRAPH_PATH));

  const subgraphUrls: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const match = SUBGRAPH_URL_VAR.exec(name);
    if (!match?.[1]) continue;
    const url = read.url(name, undefined, ["http:", "https:"]);
    if (url !== undefined) subgraphUrls[match[1]] = url;
  }

  const rawOrigins = read.optionalString("CORS_ORIGINS");
  const corsOrigins =
    rawOrigins === undefined ? (nodeEnv === "production" ? [] : [STUDIO_ORIGIN]) : parseOrigins(rawOrigins, problems);

  const production = nodeEnv === "production";
  const { limits, limitsMode, cost } = readAnalysisSettings(read);
  const jwtSecret = read.optionalString("JWT_SECRET");
  const jwksUrl = read.url("JWT_JWKS_URL", undefined, production ? ["https:"] : ["http:", "https:"]);
  if (production && !jwksUrl && (jwtSecret === undefined || jwtSecret === DEV_JWT_SECRET)) {
    problems.push("JWT_JWKS_URL or JWT_SECRET (not the development secret) is required when NODE_ENV=production");
  }
  if (jwtSecret !== undefined && jwtSecret.length < 32) problems.push("JWT_SECRET must be at least 32 characters");
  const routerSecret = read.optionalString("ROUTER_SECRET");
  if (production && routerSecret === undefined)
    problems.push(
      "ROUTER_SECRET is required when NODE_ENV=production: the secret the subgraphs check the router's requests with",
    );
  if (routerSecret !== undefined && routerSecret.length < 32)
    problems.push("ROUTER_SECRET must be at least 32 characters");

  const config: RouterConfig = {
    nodeEnv,
    host: read.string("HOST", "0.0.0.0"),
    port: read.int("PORT", 4000, { min: 0, max: 65_535 }),
    supergraphPath,
    subgraphUrls: Object.freeze(subgraphUrls),
    corsOrigins: Object.freeze(corsOrigins),
    logLevel: read.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    limits,
    limitsMode,
    jwt: Object.freeze({
      secret: jwksUrl ? undefined : (jwtSecret ?? DEV_JWT_SECRET),
      jwksUrl,
      issuer: read.string("JWT_ISSUER", "commerce-supergraph"),
      audience: read.string("JWT_AUDIENCE", "commerce-api"),
    }),
    authorizationMode: read.oneOf("AUTHORIZATION_MODE", AUTHORIZATION_MODES, "filter"),
    cost: Object.freeze({
      ...cost,
      budget: read.int("COST_BUDGET", 50_000, { min: 0 }),
      budgetWindowSeconds: read.int("COST_BUDGET_WINDOW_SECONDS", 60, { min: 1, max: 86_400 }),
    }),
    // Redis (a server or a cluster) for APQ and cost budgets; unset: APQ in memory, no budgets. A slow Redis fails open.
    ...readRedisConfig(read),
    shutdownTimeoutMs: read.int("SHUTDOWN_TIMEOUT_MS", 10_000, { min: 0, max: 600_000 }),
    persistedQueries: Object.freeze({
      apq: read.bool("APQ_ENABLED", true),
      apqTtlSeconds: read.int("APQ_TTL_SECONDS", 86_400, { min: 1 }),
      safelist: read.oneOf("SAFELIST_MODE", SAFELIST_MODES, "off"),
      manifestPath: resolve(read.string("SAFELIST_MANIFEST", DEFAULT_MANIFEST_PATH)),
    }),
    routerSecret,
    trustProxy: parseTrustProxy(read.optionalString("TRUST_PROXY"), problems),
    executor: read.oneOf("ROUTER_EXECUTOR", EXECUTORS, "native"),
    subgraphTraffic: Object.freeze({
      policy: Object.freeze(readPolicyKnobs(read, (knob) => `SUBGRAPH_${knob}`)),
      policies: Object.freeze(readSubgraphPolicies(read, env)),
      deduplication: read.bool("SUBGRAPH_DEDUPLICATION", true),
      connections: read.int("SUBGRAPH_CONNECTIONS", 128, { min: 1, max: 10_000 }),
      readySettleMs: read.int("SUBGRAPH_BREAKER_SETTLE_MS", 10_000, { min: 0, max: 600_000 }),
    }),
    requestTimeoutMs: read.int("ROUTER_REQUEST_TIMEOUT_MS", 15_000, { min: 0, max: 600_000 }),
    subscriptions: Object.freeze({
      enabled: read.bool("SUBSCRIPTIONS_ENABLED", true),
      maxPerConnection: read.int("SUBSCRIPTIONS_MAX_PER_CONNECTION", 50, { min: 1, max: 10_000 }),
      maxPerCaller: read.int("SUBSCRIPTIONS_MAX_PER_CALLER", 100, { min: 1, max: 1_000_000 }),
      heartbeatMs: read.int("SUBSCRIPTIONS_HEARTBEAT_MS", 12_000, { min: 100, max: 600_000 }),
      idleTimeoutMs: read.int("SUBSCRIPTIONS_IDLE_TIMEOUT_MS", 60_000, { min: 100, max: 86_400_000 }),
      maxPendingEvents: read.int("SUBSCRIPTIONS_MAX_PENDING_EVENTS", 64, { min: 1, max: 100_000 }),
      maxBufferedBytes: read.int("SUBSCRIPTIONS_MAX_BUFFERED_BYTES", 1_048_576, { min: 1024, max: 1_073_741_824 }),
      resumeTimeoutMs: read.int("SUBSCRIPTIONS_RESUME_TIMEOUT_MS", 30_000, { min: 0, max: 3_600_000 }),
      connectionInitTimeoutMs: read.int("SUBSCRIPTIONS_INIT_TIMEOUT_MS", 3_000, { min: 100, max: 60_000 }),
      maxConcurrentEvents: read.int("SUBSCRIPTIONS_MAX_CONCURRENT_EVENTS", 64, { min: 1, max: 10_000 }),
    }),
  };

  try {
    read.done();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.unshift(...error.problems);
  }
  if (problems.length > 0) throw new ConfigError(SERVICE, problems);
  return Object.freeze(config);
}

/** The policy knobs set under `variable(knob)`; unset ones are left out (the defaults apply). */
function readPolicyKnobs(read: EnvReader, variable: (knob: string) => string): CallPolicyOptions {
  const options: Record<string, number> = {};
  for (const [knob, { option, min, max, scale = 1 }] of Object.entries(SUBGRAPH_POLICY_KNOBS)) {
    const name = variable(knob);
    if (read.optionalString(name) === undefined) continue;
    options[option] = read.int(name, 0, { min, max }) * scale;
  }
  return options as CallPolicyOptions;
}

/** `SUBGRAPH_<NAME>_<KNOB>` variables, grouped by subgraph env name. */
function readSubgraphPolicies(read: EnvReader, env: Env): Record<string, Readonly<CallPolicyOptions>> {
  const names = new Set<string>();
  for (const variable of Object.keys(env)) {
    const match = SUBGRAPH_KNOB_VAR.exec(variable);
    if (match?.[1] && env[variable]?.trim()) names.add(match[1]);
  }
  const policies: Record<string, Readonly<CallPolicyOptions>> = {};
  for (const name of [...names].sort())
    policies[name] = Object.freeze(readPolicyKnobs(read, (knob) => `SUBGRAPH_${name}_${knob}`));
  return policies;
}

function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  const value = raw?.trim();
  if (value === undefined || value === "" || /^false$/i.test(value)) return false;
  if (/^true$/i.test(value)) return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(",").map((entry) => entry.trim());
  const invalid = entries.filter((entry) => !isProxyAddress(entry));
  if (invalid.length === 0) return Object.freeze(entries);
  problems.push(
    `TRUST_PROXY must be true, false, a hop count, or a comma-separated list of addresses, subnets (10.0.0.0/8) or ${PROXY_PRESETS.join("/")}, got ${invalid.map((e) => `"${e}"`).join(", ")}`,
  );
  return false;
}

/** An address, a subnet (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `fc00::/7`) or a proxy-addr preset name. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_PRESETS.includes(entry)) return true;
  const [address = "", range, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4;
}

function parseOrigins(raw: string, problems: string[]): string[] {
  const origins = raw
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  for (const origin of origins) {
    if (origin === "*") continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.origin !== origin) {
      problems.push(
        `CORS_ORIGINS must be a comma-separated list of origins like https://app.example.com (or *), got "${origin}"`,
      );
    }
  }
  return origins;
}
