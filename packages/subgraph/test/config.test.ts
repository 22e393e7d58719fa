import { describe, expect, it } from "vitest";
import type { EnvReader } from "@commerce/common";
import { ConfigError, loadSubgraphConfig, type SubgraphConfig } from "../src/config.js";

const DATABASE_URL = "postgresql://user:pass@localhost:5432/commerce";
const service = { service: "test", port: 4100 };

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
