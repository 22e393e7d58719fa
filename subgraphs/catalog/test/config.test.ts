import { describe, expect, it } from "vitest";
import { DEV_JWT_SECRET } from "@commerce/auth";
import { configProblems } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";

const DATABASE_URL = "postgresql://localhost:5432/commerce";

const problems = (env: Record<string, string>) => configProblems(loadConfig, env);

describe("loadConfig", () => {
  it("applies the defaults", () => {
    const config = loadConfig({ DATABASE_URL });
    expect(config).toEqual({
      service: "catalog",
      port: 4002,
      host: "0.0.0.0",
      databaseUrl: DATABASE_URL,
      databasePoolSize: 10,
      redisUrl: undefined,
      redisCluster: false,
      redisCommandTimeoutMs: 500,
      shutdownTimeoutMs: 10_000,
      jwtSecret: DEV_JWT_SECRET,
      cacheTtlSeconds: 300,
      logLevel: "info",
      nodeEnv: "development",
      routerSecret: undefined,
      trustedServices: new Map(),
      telemetry: expect.objectContaining({ serviceName: "catalog" }),
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads every variable", () => {
    const secret = "s".repeat(40);
    expect(
      loadConfig({
        DATABASE_URL,
        PORT: "5002",
        HOST: "127.0.0.1",
        REDIS_URL: "redis://localhost:6379",
        JWT_SECRET: secret,
        CACHE_TTL_SECONDS: "60",
        LOG_LEVEL: "debug",
        NODE_ENV: "production",
        ROUTER_SECRET: "r".repeat(40),
        TRUSTED_SERVICES: `orders:${"o".repeat(32)},reviews:${"v".repeat(32)}`,
      }),
    ).toMatchObject({
      port: 5002,
      host: "127.0.0.1",
      redisUrl: "redis://localhost:6379",
      jwtSecret: secret,
      cacheTtlSeconds: 60,
      logLevel: "debug",
      nodeEnv: "production",
      routerSecret: "r".repeat(40),
      trustedServices: new Map([
        ["orders", "o".repeat(32)],
        ["reviews", "v".repeat(32)],
      ]),
    });
  });

  it("reports every problem at once", () => {
    const found = problems({
      PORT: "http",
      REDIS_URL: "localhost:6379",
      CACHE_TTL_SECONDS: "0",
      LOG_LEVEL: "loud",
      NODE_ENV: "production",
    });
    expect(found).toHaveLength(7);
    for (const name of [
      "DATABASE_URL",
      "PORT",
      "REDIS_URL",
      "CACHE_TTL_SECONDS",
      "LOG_LEVEL",
      "JWT_SECRET",
      "ROUTER_SECRET",
    ]) {
      expect(
        found.some((problem) => problem.startsWith(name)),
        name,
      ).toBe(true);
    }
  });

  it("refuses a short secret, the development secret in production, and a non-Postgres URL", () => {
    expect(problems({ DATABASE_URL, JWT_SECRET: "short" })).toEqual([expect.stringContaining("JWT_SECRET")]);
    expect(
      problems({ DATABASE_URL, NODE_ENV: "production", JWT_SECRET: DEV_JWT_SECRET, ROUTER_SECRET: "r".repeat(40) }),
    ).toEqual([expect.stringContaining("JWT_SECRET")]);
    expect(problems({ DATABASE_URL, NODE_ENV: "production", JWT_SECRET: "s".repeat(40) })).toEqual([
      expect.stringContaining("ROUTER_SECRET is required"),
    ]);
    expect(problems({ DATABASE_URL, ROUTER_SECRET: "short" })).toEqual([
      expect.stringContaining("ROUTER_SECRET must be at least 32"),
    ]);
    expect(problems({ DATABASE_URL: "mysql://localhost/db" })).toEqual([expect.stringContaining("DATABASE_URL")]);
  });
});
