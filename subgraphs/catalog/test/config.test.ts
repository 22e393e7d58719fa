import { describe, expect, it } from "vitest";
import { configProblems } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";

const DATABASE_URL = "postgresql://localhost:5432/commerce";

const problems = (env: Record<string, string>) => configProblems(loadConfig, env);

// The common settings (secrets, URLs, Redis, TRUSTED_SERVICES) are the kit's, tested in @commerce/subgraph.
describe("loadConfig", () => {
  it("applies the catalog's defaults (port 4002) and freezes the result", () => {
    const config = loadConfig({ DATABASE_URL });
    expect(config).toMatchObject({ service: "catalog", port: 4002, cacheTtlSeconds: 300 });
    expect(config.telemetry.serviceName).toBe("catalog");
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads its own variables", () => {
    expect(loadConfig({ DATABASE_URL, PORT: "5002", CACHE_TTL_SECONDS: "60" })).toMatchObject({
      port: 5002,
      cacheTtlSeconds: 60,
    });
  });

  it("reports every problem at once, its own with the common ones", () => {
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
});
