import { describe, expect, it } from "vitest";
import { ConfigError } from "@commerce/common";
import { loadConfig } from "../src/config.js";

describe("config", () => {
  it("applies the defaults", () => {
    const config = loadConfig({ DATABASE_URL: "postgresql://localhost/commerce" });
    expect(config).toMatchObject({
      port: 4003,
      catalogUrl: "http://localhost:4002/graphql",
      catalogTimeoutMs: 2000,
      catalogRetries: 2,
      redisUrl: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reports every problem at once", () => {
    const env = { NODE_ENV: "production", SUBGRAPH_CATALOG_URL: "ftp://catalog", CATALOG_RETRIES: "-1", PORT: "x" };
    try {
      loadConfig(env);
      expect.unreachable("loadConfig should throw");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      for (const name of ["DATABASE_URL", "SUBGRAPH_CATALOG_URL", "CATALOG_RETRIES", "PORT", "JWT_SECRET"])
        expect(problems).toContain(name);
      expect(problems).toMatch(/^SERVICE_SECRET is required when NODE_ENV=production: the key orders signs/m);
    }
  });

  it("signs catalog calls as orders with SERVICE_SECRET, of at least 32 characters", () => {
    const DATABASE_URL = "postgresql://localhost/commerce";
    expect(loadConfig({ DATABASE_URL, SERVICE_SECRET: "s".repeat(32) })).toMatchObject({
      serviceName: "orders",
      serviceSecret: "s".repeat(32),
    });
    expect(loadConfig({ DATABASE_URL }).serviceSecret).toBeUndefined();
    expect(() => loadConfig({ DATABASE_URL, SERVICE_SECRET: "short" })).toThrow(
      /SERVICE_SECRET must be at least 32 characters/,
    );
  });
});
