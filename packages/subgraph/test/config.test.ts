import { describe, expect, it } from "vitest";
import { DEV_JWT_SECRET } from "@commerce/auth";
import type { EnvReader } from "@commerce/common";
import { ConfigError, loadSubgraphConfig, type SubgraphConfig } from "../src/config.js";

const DATABASE_URL = "postgresql://user:pass@localhost:5432/commerce";
const service = { service: "test", port: 4100 };

/** The problems loading `env` reports (none → []). */
function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadSubgraphConfig: the common settings", () => {
  it("applies the defaults (the service's own port) and freezes the result", () => {
    const config = loadSubgraphConfig(service, { DATABASE_URL });
    expect(config).toEqual({
      service: "test",
      port: 4100,
      host: "0.0.0.0",
      databaseUrl: DATABASE_URL,
      databasePoolSize: 10,
      redisUrl: undefined,
      redisCluster: false,
      redisCommandTimeoutMs: 500,
      shutdownTimeoutMs: 10_000,
      jwtSecret: DEV_JWT_SECRET,
      logLevel: "info",
      nodeEnv: "development",
      routerSecret: undefined,
      trustedServices: new Map(),
      telemetry: expect.objectContaining({ serviceName: "test" }),
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads every variable", () => {
    const config = loadSubgraphConfig(service, {
      DATABASE_URL,
      PORT: "5001",
      HOST: "127.0.0.1",
      REDIS_URL: "redis://localhost:6379",
      JWT_SECRET: "s".repeat(40),
      LOG_LEVEL: "debug",
      NODE_ENV: "production",
      ROUTER_SECRET: "r".repeat(40),
    });
    expect(config).toMatchObject({
      port: 5001,
      host: "127.0.0.1",
      redisUrl: "redis://localhost:6379",
      jwtSecret: "s".repeat(40),
      logLevel: "debug",
      nodeEnv: "production",
      routerSecret: "r".repeat(40),
    });
  });

  it("requires a real JWT secret in production only", () => {
    expect(
      problemsOf(() =>
        loadSubgraphConfig(service, {
          DATABASE_URL,
          NODE_ENV: "production",
          JWT_SECRET: DEV_JWT_SECRET,
          ROUTER_SECRET: "r".repeat(40),
        }),
      ),
    ).toEqual(["JWT_SECRET must not be the development secret when NODE_ENV=production"]);
    expect(problemsOf(() => loadSubgraphConfig(service, { DATABASE_URL, JWT_SECRET: "too-short" }))).toEqual([
      expect.stringMatching(/^JWT_SECRET must be at least 32/),
    ]);
  });

  it("requires a ROUTER_SECRET of at least 32 characters in production, and takes it anywhere", () => {
    expect(
      problemsOf(() =>
        loadSubgraphConfig(service, { DATABASE_URL, NODE_ENV: "production", JWT_SECRET: "s".repeat(40) }),
      ),
    ).toEqual([expect.stringMatching(/^ROUTER_SECRET is required/)]);
    expect(problemsOf(() => loadSubgraphConfig(service, { DATABASE_URL, ROUTER_SECRET: "short" }))).toEqual([
      expect.stringMatching(/^ROUTER_SECRET must be at least 32/),
    ]);
    expect(loadSubgraphConfig(service, { DATABASE_URL, ROUTER_SECRET: "r".repeat(32) }).routerSecret).toBe(
      "r".repeat(32),
    );
  });

  it("refuses a DATABASE_URL that is not Postgres", () => {
    expect(problemsOf(() => loadSubgraphConfig(service, { DATABASE_URL: "mysql://localhost/db" }))).toEqual([
      expect.stringMatching(/^DATABASE_URL must use postgres:/),
    ]);
  });
});

describe("loadSubgraphConfig: Redis timeout and shutdown deadline", () => {
  it("defaults to a 500 ms Redis command timeout and a 10 s drain", () => {
    expect(loadSubgraphConfig(service, { DATABASE_URL })).toMatchObject({
      redisCommandTimeoutMs: 500,
      shutdownTimeoutMs: 10_000,
    });
  });

  it("reads REDIS_COMMAND_TIMEOUT_MS and SHUTDOWN_TIMEOUT_MS", () => {
    const config = loadSubgraphConfig(service, {
      DATABASE_URL,
      REDIS_COMMAND_TIMEOUT_MS: "200",
      SHUTDOWN_TIMEOUT_MS: "30000",
    });
    expect(config).toMatchObject({ redisCommandTimeoutMs: 200, shutdownTimeoutMs: 30_000 });
  });

  it("reports both when out of range, in one error", () => {
    let problems: readonly string[] = [];
    try {
      loadSubgraphConfig(service, { DATABASE_URL, REDIS_COMMAND_TIMEOUT_MS: "0", SHUTDOWN_TIMEOUT_MS: "soon" });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems.some((p) => p.includes("REDIS_COMMAND_TIMEOUT_MS"))).toBe(true);
    expect(problems.some((p) => p.includes("SHUTDOWN_TIMEOUT_MS"))).toBe(true);
  });
});

describe("loadSubgraphConfig: TRUSTED_SERVICES", () => {
  const ROUTER_SECRET = "r".repeat(32);
  const orders = "o".repeat(32);
  const reviews = "v".repeat(40);

  it("parses <service>:<key> pairs once into a map, and trusts no service by default", () => {
    expect(loadSubgraphConfig(service, { DATABASE_URL }).trustedServices).toEqual(new Map());
    const config = loadSubgraphConfig(service, {
      DATABASE_URL,
      ROUTER_SECRET,
      TRUSTED_SERVICES: ` orders:${orders} , reviews:${reviews}`,
    });
    expect(config.trustedServices).toEqual(
      new Map([
        ["orders", orders],
        ["reviews", reviews],
      ]),
    );
  });

  it("fails at start naming TRUSTED_SERVICES for a malformed entry, a short key, a duplicate or the router, never echoing a key", () => {
    const cases: [string, RegExp][] = [
      [`orders=${orders}`, /^TRUSTED_SERVICES must be a comma-separated list of <service>:<key>.*entry 1/],
      [`orders:${orders},`, /^TRUSTED_SERVICES must be a comma-separated list .*entry 2/],
      [`Orders:${orders}`, /^TRUSTED_SERVICES must be a comma-separated list/],
      [`orders:`, /^TRUSTED_SERVICES must be a comma-separated list/],
      ["orders:short-key", /^TRUSTED_SERVICES: the key of "orders" must be at least 32 characters/],
      [`orders:${orders},orders:${reviews}`, /^TRUSTED_SERVICES names "orders" twice/],
      [`router:${orders}`, /^TRUSTED_SERVICES must not name "router"/],
    ];
    for (const [value, problem] of cases) {
      const found = problemsOf(() =>
        loadSubgraphConfig(service, { DATABASE_URL, ROUTER_SECRET, TRUSTED_SERVICES: value }),
      );
      expect(found, value).toEqual([expect.stringMatching(problem)]);
      expect(found.join(" "), value).not.toContain(orders);
    }
  });

  it("needs ROUTER_SECRET: without the guard no caller is checked", () => {
    expect(
      problemsOf(() => loadSubgraphConfig(service, { DATABASE_URL, TRUSTED_SERVICES: `orders:${orders}` })),
    ).toEqual([expect.stringMatching(/^TRUSTED_SERVICES needs ROUTER_SECRET/)]);
  });
});

describe("loadSubgraphConfig with the service's own reader", () => {
  const own = (read: EnvReader, common: SubgraphConfig) => ({
    ttlSeconds: read.int("CACHE_TTL_SECONDS", 300, { min: 1, max: 86_400 }),
    production: common.nodeEnv === "production",
  });

  it("adds the service's own keys to the common ones, frozen", () => {
    const config = loadSubgraphConfig(
      service,
      { DATABASE_URL, NODE_ENV: "production", JWT_SECRET: "j".repeat(32), ROUTER_SECRET: "r".repeat(32) },
      own,
    );
    expect(config).toMatchObject({ port: 4100, ttlSeconds: 300, production: true });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reports the service's problems and the common ones in one error", () => {
    expect(problemsOf(() => loadSubgraphConfig(service, { CACHE_TTL_SECONDS: "0" }, own))).toEqual([
      expect.stringMatching(/^DATABASE_URL/),
      expect.stringMatching(/^CACHE_TTL_SECONDS/),
    ]);
  });
});
