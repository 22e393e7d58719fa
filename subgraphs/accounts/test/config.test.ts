import { describe, expect, it } from "vitest";
import { configProblems } from "@commerce/testing/subgraph";
import { DEV_JWT_SECRET } from "@commerce/auth";
import { loadConfig } from "../src/config.js";

const DATABASE_URL = "postgresql://app:app@localhost:5432/commerce";

const problemsOf = (env: Record<string, string>) => configProblems(loadConfig, env);

describe("loadConfig", () => {
  it("applies the defaults and freezes the result", () => {
    const config = loadConfig({ DATABASE_URL });
    expect(config).toEqual({
      service: "accounts",
      port: 4001,
      host: "0.0.0.0",
      databaseUrl: DATABASE_URL,
      databasePoolSize: 10,
      redisUrl: undefined,
      redisCluster: false,
      redisCommandTimeoutMs: 500,
      shutdownTimeoutMs: 10_000,
      jwtSecret: DEV_JWT_SECRET,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      passwordHashCost: 15,
      logLevel: "info",
      nodeEnv: "development",
      routerSecret: undefined,
      trustedServices: new Map(),
      telemetry: expect.objectContaining({ serviceName: "accounts" }),
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads every variable", () => {
    const config = loadConfig({
      DATABASE_URL,
      PORT: "5001",
      HOST: "127.0.0.1",
      REDIS_URL: "redis://localhost:6379",
      JWT_SECRET: "s".repeat(40),
      ACCESS_TOKEN_TTL_SECONDS: "300",
      REFRESH_TOKEN_TTL_SECONDS: "86400",
      PASSWORD_HASH_COST: "12",
      LOG_LEVEL: "debug",
      NODE_ENV: "production",
      ROUTER_SECRET: "r".repeat(40),
    });
    expect(config).toMatchObject({
      port: 5001,
      host: "127.0.0.1",
      redisUrl: "redis://localhost:6379",
      jwtSecret: "s".repeat(40),
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 86_400,
      passwordHashCost: 12,
      logLevel: "debug",
      nodeEnv: "production",
      routerSecret: "r".repeat(40),
    });
  });

  it("reports every problem at once", () => {
    const problems = problemsOf({
      NODE_ENV: "production",
      PORT: "http",
      REDIS_URL: "http://localhost:6379",
      PASSWORD_HASH_COST: "9",
      LOG_LEVEL: "loud",
    });
    expect(problems).toHaveLength(7);
    for (const name of [
      "DATABASE_URL",
      "JWT_SECRET",
      "PORT",
      "REDIS_URL",
      "PASSWORD_HASH_COST",
      "LOG_LEVEL",
      "ROUTER_SECRET",
    ]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it("requires a real JWT secret in production only", () => {
    expect(
      problemsOf({ DATABASE_URL, NODE_ENV: "production", JWT_SECRET: DEV_JWT_SECRET, ROUTER_SECRET: "r".repeat(40) }),
    ).toEqual(["JWT_SECRET must not be the development secret when NODE_ENV=production"]);
    expect(problemsOf({ DATABASE_URL, JWT_SECRET: "too-short" })).toEqual([
      expect.stringMatching(/^JWT_SECRET must be at least 32/),
    ]);
  });

  it("refuses a refresh-token lifetime not longer than the access token's", () => {
    expect(problemsOf({ DATABASE_URL, ACCESS_TOKEN_TTL_SECONDS: "3600", REFRESH_TOKEN_TTL_SECONDS: "3600" })).toEqual([
      "REFRESH_TOKEN_TTL_SECONDS must be longer than ACCESS_TOKEN_TTL_SECONDS",
    ]);
  });

  it("requires a ROUTER_SECRET of at least 32 characters in production, and takes it anywhere", () => {
    expect(problemsOf({ DATABASE_URL, NODE_ENV: "production", JWT_SECRET: "s".repeat(40) })).toEqual([
      expect.stringMatching(/^ROUTER_SECRET is required/),
    ]);
    expect(problemsOf({ DATABASE_URL, ROUTER_SECRET: "short" })).toEqual([
      expect.stringMatching(/^ROUTER_SECRET must be at least 32/),
    ]);
    expect(loadConfig({ DATABASE_URL, ROUTER_SECRET: "r".repeat(32) }).routerSecret).toBe("r".repeat(32));
  });

  it("refuses a DATABASE_URL that is not Postgres", () => {
    expect(problemsOf({ DATABASE_URL: "mysql://localhost/db" })).toEqual([
      expect.stringMatching(/^DATABASE_URL must use postgres:/),
    ]);
  });
});
