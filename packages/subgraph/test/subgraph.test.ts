import { describe, expect, it } from "vitest";
import type { GraphQLError } from "graphql";
import { ConfigError, ErrorCode, forbidden } from "@commerce/common";
import { DEV_JWT_SECRET } from "@commerce/auth";
import { loadSubgraphConfig, maskError, viewerReader } from "../src/index.js";

describe("loadSubgraphConfig", () => {
  it("applies the service's port and the development defaults", () => {
    const config = loadSubgraphConfig(
      { service: "reviews", port: 4005 },
      { DATABASE_URL: "postgresql://u@localhost/db" },
    );
    expect(config).toMatchObject({
      port: 4005,
      host: "0.0.0.0",
      databasePoolSize: 10,
      redisUrl: undefined,
      jwtSecret: DEV_JWT_SECRET,
      nodeEnv: "development",
      logLevel: "info",
    });
    expect(config.telemetry.resolverSpans).toBe("own");
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("sizes the Postgres pool from DATABASE_POOL_SIZE", () => {
    const env = { DATABASE_URL: "postgresql://u@localhost/db", DATABASE_POOL_SIZE: "25" };
    expect(loadSubgraphConfig({ service: "reviews", port: 4005 }, env).databasePoolSize).toBe(25);
    expect(() => loadSubgraphConfig({ service: "reviews", port: 4005 }, { ...env, DATABASE_POOL_SIZE: "0" })).toThrow(
      /DATABASE_POOL_SIZE must be an integer between 1 and 1000/,
    );
  });

  it("reports every problem at once, secrets required in production", () => {
    const load = () =>
      loadSubgraphConfig(
        { service: "reviews", port: 4005 },
        { NODE_ENV: "production", PORT: "x", TRACING_RESOLVERS: "some" },
      );
    expect(load).toThrow(ConfigError);
    const problems = (() => {
      try {
        load();
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    })();
    expect(problems.map((p) => p.split(" ")[0])).toEqual(
      expect.arrayContaining(["DATABASE_URL", "JWT_SECRET", "ROUTER_SECRET", "PORT", "TRACING_RESOLVERS"]),
    );
  });
});

describe("maskError", () => {
  it("passes coded errors and masks the rest without details", () => {
    const coded = forbidden("no");
    expect(maskError({ message: "no", extensions: { code: ErrorCode.FORBIDDEN } }, coded).message).toBe("no");
    const masked = maskError(
      {
        message: "connection refused at 10.0.0.1",
        path: ["a"],
        extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["x"] },
      },
      new Error("boom"),
    );
    expect(masked).toEqual({
      message: "Internal server error",
      path: ["a"],
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    });
  });
});

describe("viewerReader", () => {
  it("is anonymous without a token and fails with 401 on a bad one", async () => {
    const read = viewerReader(DEV_JWT_SECRET);
    expect(await read({ headers: {} })).toBeNull();
    const error = await read({ headers: { authorization: "Bearer not-a-token" } }).catch((e: unknown) => e);
    expect((error as GraphQLError).extensions).toMatchObject({
      code: ErrorCode.UNAUTHENTICATED,
      http: { status: 401 },
    });
  });
});
