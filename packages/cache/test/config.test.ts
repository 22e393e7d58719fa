import { describe, expect, it } from "vitest";
import { ConfigError, readEnv } from "@commerce/common";
import { readRedisConfig } from "../src/index.js";

const read = (env: Record<string, string>) => {
  const reader = readEnv("test", env);
  const config = readRedisConfig(reader);
  reader.done();
  return config;
};

describe("readRedisConfig", () => {
  it("reads a single server by default and a cluster with REDIS_CLUSTER=true", () => {
    expect(read({})).toEqual({ redisUrl: undefined, redisCluster: false, redisCommandTimeoutMs: 500 });
    expect(read({ REDIS_URL: "redis://cache:6379" })).toMatchObject({
      redisUrl: "redis://cache:6379",
      redisCluster: false,
    });
    expect(
      read({
        REDIS_URL: "rediss://user:secret@config.cache:6379",
        REDIS_CLUSTER: "true",
        REDIS_COMMAND_TIMEOUT_MS: "250",
      }),
    ).toEqual({
      redisUrl: "rediss://user:secret@config.cache:6379",
      redisCluster: true,
      redisCommandTimeoutMs: 250,
    });
  });

  it("refuses a cluster without a seed node, or with a database other than 0", () => {
    expect(() => read({ REDIS_CLUSTER: "true" })).toThrow(ConfigError);
    expect(() => read({ REDIS_CLUSTER: "true" })).toThrow(/REDIS_CLUSTER=true needs REDIS_URL/);
    expect(() => read({ REDIS_URL: "redis://cache:6379/2", REDIS_CLUSTER: "yes" })).toThrow(/only database 0/);
    expect(read({ REDIS_URL: "redis://cache:6379/0", REDIS_CLUSTER: "true" }).redisCluster).toBe(true);
    expect(() => read({ REDIS_URL: "redis://cache:6379", REDIS_CLUSTER: "maybe" })).toThrow(
      /REDIS_CLUSTER must be true or false/,
    );
  });
});
