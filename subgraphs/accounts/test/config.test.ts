import { describe, expect, it } from "vitest";
import { configProblems } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";

const DATABASE_URL = "postgresql://app:app@localhost:5432/commerce";

const problemsOf = (env: Record<string, string>) => configProblems(loadConfig, env);

// The common settings (secrets, URLs, Redis, TRUSTED_SERVICES) are the kit's, tested in @commerce/subgraph.
describe("loadConfig", () => {
  it("applies the accounts defaults (port 4001) and freezes the result", () => {
    const config = loadConfig({ DATABASE_URL });
    expect(config).toMatchObject({
      service: "accounts",
      port: 4001,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      passwordHashCost: 15,
    });
    expect(config.telemetry.serviceName).toBe("accounts");
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads its own variables", () => {
    const config = loadConfig({
      DATABASE_URL,
      PORT: "5001",
      ACCESS_TOKEN_TTL_SECONDS: "300",
      REFRESH_TOKEN_TTL_SECONDS: "86400",
      PASSWORD_HASH_COST: "12",
    });
    expect(config).toMatchObject({
      port: 5001,
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 86_400,
      passwordHashCost: 12,
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

  it("refuses a refresh-token lifetime not longer than the access token's", () => {
    expect(problemsOf({ DATABASE_URL, ACCESS_TOKEN_TTL_SECONDS: "3600", REFRESH_TOKEN_TTL_SECONDS: "3600" })).toEqual([
      "REFRESH_TOKEN_TTL_SECONDS must be longer than ACCESS_TOKEN_TTL_SECONDS",
    ]);
  });
});
