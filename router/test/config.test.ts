import { resolve } from "node:path";
import { ConfigError } from "@commerce/common";
import { describe, expect, it } from "vitest";
import { DEFAULT_SUPERGRAPH_PATH, loadConfig, STUDIO_ORIGIN } from "../src/config.js";

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
      maxQueryDepth: 12,
      corsOrigins: [STUDIO_ORIGIN],
      logLevel: "info",
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.subgraphUrls)).toBe(true);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
  });

  it("defaults to the repo's schema/supergraph.graphql", () => {
    expect(DEFAULT_SUPERGRAPH_PATH).toBe(resolve(import.meta.dirname, "../../schema/supergraph.graphql"));
  });

  it("reads every knob", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: "8080",
      SUPERGRAPH_PATH: "some/dir/supergraph.graphql",
      MAX_QUERY_DEPTH: "7",
      CORS_ORIGINS: "https://shop.example.com, http://localhost:3000",
      LOG_LEVEL: "warn",
    });
    expect(config).toMatchObject({
      nodeEnv: "production",
      host: "127.0.0.1",
      port: 8080,
      supergraphPath: resolve("some/dir/supergraph.graphql"),
      maxQueryDepth: 7,
      corsOrigins: ["https://shop.example.com", "http://localhost:3000"],
      logLevel: "warn",
    });
  });

  it("allows no browser origin by default in production", () => {
    expect(loadConfig({ NODE_ENV: "production" }).corsOrigins).toEqual([]);
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
