import { resolve } from "node:path";
import { DEFAULT_OPERATION_LIMITS } from "@commerce/analysis";
import { ConfigError } from "@commerce/common";
import { describe, expect, it } from "vitest";
import { DEV_JWT_SECRET } from "@commerce/auth";
import { DEFAULT_MANIFEST_PATH, DEFAULT_SUPERGRAPH_PATH, loadConfig, STUDIO_ORIGIN } from "../src/config.js";

/** What production needs besides NODE_ENV. */
const PRODUCTION = { NODE_ENV: "production", JWT_SECRET: "p".repeat(40), ROUTER_SECRET: "r".repeat(40) };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected loadConfig to throw a ConfigError");
}

describe("loadConfig", () => {
  it("has development defaults and is frozen", () => {
    const config = loadConfig({});
    expect(config).toEqual({
      nodeEnv: "development",
      host: "0.0.0.0",
      port: 4000,
      supergraphPath: DEFAULT_SUPERGRAPH_PATH,
      subgraphUrls: {},
      corsOrigins: [STUDIO_ORIGIN],
      logLevel: "info",
      limits: DEFAULT_OPERATION_LIMITS,
      limitsMode: "enforce",
      jwt: { secret: DEV_JWT_SECRET, jwksUrl: undefined, issuer: "commerce-supergraph", audience: "commerce-api" },
      authorizationMode: "filter",
      cost: {
        mode: "enforce",
        max: 1000,
        defaultListSize: 10,
        entityFetchWeight: 1,
        budget: 50_000,
        budgetWindowSeconds: 60,
      },
      redisUrl: undefined,
      redisCluster: false,
      redisCommandTimeoutMs: 500,
      shutdownTimeoutMs: 10_000,
      persistedQueries: { apq: true, apqTtlSeconds: 86_400, safelist: "off", manifestPath: DEFAULT_MANIFEST_PATH },
      routerSecret: undefined,
      trustProxy: false,
      executor: "native",
      // Unset policy knobs are left to @commerce/resilience's defaults.
      subgraphTraffic: { policy: {}, policies: {}, deduplication: true, connections: 128, readySettleMs: 10_000 },
      requestTimeoutMs: 15_000,
      subscriptions: {
        enabled: true,
        maxPerConnection: 50,
        maxPerCaller: 100,
        heartbeatMs: 12_000,
        idleTimeoutMs: 60_000,
        maxPendingEvents: 64,
        maxBufferedBytes: 1_048_576,
        resumeTimeoutMs: 30_000,
        connectionInitTimeoutMs: 3_000,
        maxConcurrentEvents: 64,
      },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.subgraphUrls)).toBe(true);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
  });

  it("picks the query plan executor from ROUTER_EXECUTOR", () => {
    expect(loadConfig({ ROUTER_EXECUTOR: "native" }).executor).toBe("native");
    expect(loadConfig({ ROUTER_EXECUTOR: "apollo" }).executor).toBe("apollo");
    expect(() => loadConfig({ ROUTER_EXECUTOR: "fast" })).toThrow(/ROUTER_EXECUTOR/);
  });

  it("defaults to the repo's schema/supergraph.graphql", () => {
    expect(DEFAULT_SUPERGRAPH_PATH).toBe(resolve(import.meta.dirname, "../../schema/supergraph.graphql"));
  });

  it("reads every knob", () => {
    const config = loadConfig({
      ...PRODUCTION,
      HOST: "127.0.0.1",
      PORT: "8080",
      SUPERGRAPH_PATH: "some/dir/supergraph.graphql",
      MAX_QUERY_DEPTH: "7",
      CORS_ORIGINS: "https://shop.example.com, http://localhost:3000",
      LOG_LEVEL: "warn",
      MAX_QUERY_HEIGHT: "50",
      MAX_ALIASES: "5",
      MAX_ROOT_FIELDS: "3",
      MAX_DIRECTIVES: "4",
      MAX_SELECTIONS: "100",
      MAX_TOKENS: "500",
      MAX_PARSER_RECURSION: "20",
      MAX_BATCH_SIZE: "0",
      MAX_BODY_BYTES: "2048",
      LIMITS_MODE: "warn",
      JWT_JWKS_URL: "https://issuer.example.com/.well-known/jwks.json",
      JWT_ISSUER: "https://issuer.example.com/",
      JWT_AUDIENCE: "shop",
      AUTHORIZATION_MODE: "dry_run",
      COST_MODE: "measure",
      COST_MAX: "300",
      COST_DEFAULT_LIST_SIZE: "5",
      COST_ENTITY_FETCH_WEIGHT: "3",
      COST_BUDGET: "0",
      COST_BUDGET_WINDOW_SECONDS: "10",
      REDIS_URL: "redis://cache:6379",
      REDIS_CLUSTER: "true",
      REDIS_COMMAND_TIMEOUT_MS: "250",
      SHUTDOWN_TIMEOUT_MS: "25000",
      APQ_ENABLED: "false",
      APQ_TTL_SECONDS: "60",
      SAFELIST_MODE: "safelist",
      TRUST_PROXY: "1",
      SAFELIST_MANIFEST: "ops.json",
    });
    expect(config).toMatchObject({
      nodeEnv: "production",
      host: "127.0.0.1",
      port: 8080,
      supergraphPath: resolve("some/dir/supergraph.graphql"),
      corsOrigins: ["https://shop.example.com", "http://localhost:3000"],
      logLevel: "warn",
      limits: {
        maxDepth: 7,
        maxHeight: 50,
        maxAliases: 5,
        maxRootFields: 3,
        maxDirectives: 4,
        maxSelections: 100,
        maxTokens: 500,
        maxRecursion: 20,
        maxBatchSize: 0,
        maxBodyBytes: 2048,
      },
      limitsMode: "warn",
      // A JWKS URL replaces the shared secret.
      jwt: {
        secret: undefined,
        jwksUrl: "https://issuer.example.com/.well-known/jwks.json",
        issuer: "https://issuer.example.com/",
        audience: "shop",
      },
      authorizationMode: "dry_run",
      cost: { mode: "measure", max: 300, defaultListSize: 5, entityFetchWeight: 3, budget: 0, budgetWindowSeconds: 10 },
      redisUrl: "redis://cache:6379",
      redisCluster: true,
      redisCommandTimeoutMs: 250,
      shutdownTimeoutMs: 25_000,
      persistedQueries: { apq: false, apqTtlSeconds: 60, safelist: "safelist", manifestPath: resolve("ops.json") },
      routerSecret: "r".repeat(40),
      trustProxy: 1,
    });
  });

  it("reads TRUST_PROXY as express's trust proxy: a boolean, a hop count or addresses and subnets", () => {
    const trustProxy = (TRUST_PROXY: string) => loadConfig({ TRUST_PROXY }).trustProxy;
    expect(trustProxy("true")).toBe(true);
    expect(trustProxy("FALSE")).toBe(false);
    expect(trustProxy("2")).toBe(2);
    expect(trustProxy("loopback, 10.0.0.0/8,192.168.0.0/255.255.0.0, fc00::/7, 203.0.113.9")).toEqual([
      "loopback",
      "10.0.0.0/8",
      "192.168.0.0/255.255.0.0",
      "fc00::/7",
      "203.0.113.9",
    ]);
    const problems = problemsOf({ TRUST_PROXY: "10.0.0.0/33, proxy.internal, 10.0.0.1" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^TRUST_PROXY must be true, false, a hop count, or a comma-separated list/);
    expect(problems[0]).toContain(`got "10.0.0.0/33", "proxy.internal"`);
  });

  it("allows no browser origin by default in production", () => {
    expect(loadConfig(PRODUCTION).corsOrigins).toEqual([]);
  });

  it("requires real secrets in production", () => {
    const problems = problemsOf({ NODE_ENV: "production", JWT_SECRET: DEV_JWT_SECRET });
    expect(problems.some((p) => p.startsWith("JWT_JWKS_URL or JWT_SECRET"))).toBe(true);
    expect(problems.some((p) => p.startsWith("ROUTER_SECRET is required"))).toBe(true);
    expect(
      problemsOf({ ...PRODUCTION, JWT_JWKS_URL: "http://plain.example.com/jwks" }).some((p) =>
        p.startsWith("JWT_JWKS_URL must use https:"),
      ),
    ).toBe(true);
  });

  it("collects SUBGRAPH_<NAME>_URL overrides", () => {
    const config = loadConfig({
      SUBGRAPH_ACCOUNTS_URL: "http://127.0.0.1:5001/graphql",
      SUBGRAPH_ORDER_HISTORY_URL: "https://orders.internal/graphql",
      SUBGRAPH_CATALOG_URL: "",
      SUBGRAPHS_URL: "http://ignored",
    });
    expect(config.subgraphUrls).toEqual({
      ACCOUNTS: "http://127.0.0.1:5001/graphql",
      ORDER_HISTORY: "https://orders.internal/graphql",
    });
  });

  it("reads subgraph traffic knobs for every subgraph (SUBGRAPH_<KNOB>) and per subgraph (SUBGRAPH_<NAME>_<KNOB>)", () => {
    const config = loadConfig({
      SUBGRAPH_TIMEOUT_MS: "3000",
      SUBGRAPH_RETRIES: "1",
      SUBGRAPH_RETRY_DELAY_MS: "20",
      SUBGRAPH_RETRY_MAX_DELAY_MS: "500",
      SUBGRAPH_RETRY_BUDGET_PERCENT: "20",
      SUBGRAPH_RETRY_BUDGET_MIN: "3",
      SUBGRAPH_RETRY_BUDGET_WINDOW_MS: "5000",
      SUBGRAPH_BREAKER_FAILURES: "7",
      SUBGRAPH_BREAKER_ERROR_RATE_PERCENT: "40",
      SUBGRAPH_BREAKER_MIN_CALLS: "30",
      SUBGRAPH_BREAKER_WINDOW_MS: "20000",
      SUBGRAPH_BREAKER_OPEN_MS: "2000",
      SUBGRAPH_REVIEWS_TIMEOUT_MS: "800",
      SUBGRAPH_REVIEWS_RETRIES: "0",
      SUBGRAPH_ORDER_HISTORY_BREAKER_OPEN_MS: "1000",
      SUBGRAPH_DEDUPLICATION: "false",
      SUBGRAPH_CONNECTIONS: "16",
      SUBGRAPH_BREAKER_SETTLE_MS: "500",
      ROUTER_REQUEST_TIMEOUT_MS: "0",
    });
    expect(config.subgraphTraffic).toEqual({
      policy: {
        timeoutMs: 3000,
        retries: 1,
        retryDelayMs: 20,
        retryMaxDelayMs: 500,
        retryBudgetRatio: 0.2,
        retryBudgetMinPerWindow: 3,
        retryBudgetWindowMs: 5000,
        breakerConsecutiveFailures: 7,
        breakerErrorRate: 0.4,
        breakerMinimumCalls: 30,
        breakerWindowMs: 20_000,
        breakerHalfOpenAfterMs: 2000,
      },
      // The global knobs are never mistaken for a subgraph named RETRY or BREAKER.
      policies: { REVIEWS: { timeoutMs: 800, retries: 0 }, ORDER_HISTORY: { breakerHalfOpenAfterMs: 1000 } },
      deduplication: false,
      connections: 16,
      readySettleMs: 500,
    });
    expect(config.requestTimeoutMs).toBe(0);
    expect(problemsOf({ SUBGRAPH_TIMEOUT_MS: "0", SUBGRAPH_REVIEWS_RETRIES: "many" })).toEqual([
      'SUBGRAPH_TIMEOUT_MS must be an integer between 1 and 60000, got "0"',
      'SUBGRAPH_REVIEWS_RETRIES must be an integer between 0 and 5, got "many"',
    ]);
  });

  it("reports every problem at once", () => {
    const problems = problemsOf({
      NODE_ENV: "staging",
      PORT: "http",
      MAX_QUERY_DEPTH: "0",
      LOG_LEVEL: "loud",
      SUBGRAPH_ACCOUNTS_URL: "accounts:4001",
      CORS_ORIGINS: "https://ok.example.com,https://bad.example.com/path",
    });
    expect(problems).toHaveLength(6);
    for (const name of ["NODE_ENV", "PORT", "MAX_QUERY_DEPTH", "LOG_LEVEL", "SUBGRAPH_ACCOUNTS_URL", "CORS_ORIGINS"]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });
});
