import { describe, expect, it } from "vitest";
import { ConfigError, loadSubgraphConfig } from "../src/config.js";

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
