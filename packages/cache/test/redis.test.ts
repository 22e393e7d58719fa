import { afterEach, describe, expect, it } from "vitest";
import { Cluster, Redis } from "ioredis";
import { freePort } from "@commerce/stack";
import {
  cachedBatch,
  connectRedis,
  createRedisCache,
  groupBySlot,
  jsonCodec,
  reconnectDelayMs,
  redisGuard,
  type RedisClient,
} from "../src/index.js";

const clients: RedisClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

describe("reconnectDelayMs", () => {
  it("backs off from 25–50 ms to at most 2 s, with jitter", () => {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const ceiling = Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
      const delay = reconnectDelayMs(attempt);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
    const samples = new Set(Array.from({ length: 20 }, () => reconnectDelayMs(10)));
    expect(samples.size).toBeGreaterThan(1);
  });
});

describe("a Redis nobody answers on", () => {
  it("answers misses, loads from the database, and stops asking Redis after three failures", async () => {
    // Nothing listens on this port: the connection never becomes ready, and without an offline queue every command fails at once.
    const redis = connectRedis(`redis://127.0.0.1:${await freePort()}`, "cache-test");
    clients.push(redis);
    const errors: unknown[] = [];
    const cache = createRedisCache(redis, { onError: (error) => errors.push(error) });
    let loads = 0;
    const load = cachedBatch<string, { id: string }>({
      name: "thingById",
      cache,
      namespace: "cache-test:thing",
      ttlSeconds: 60,
      codec: jsonCodec(),
      load: async (ids) => {
        loads += 1;
        return new Map(ids.map((id) => [id, { id }]));
      },
    });
    for (let i = 0; i < 5; i += 1) expect(await load(["a", "b"])).toEqual([{ id: "a" }, { id: "b" }]);
    expect(loads).toBe(5);
    // Three failures open the guard; after that nothing is sent to Redis and nothing more is reported.
    expect(redisGuard(redis).state).toBe("open");
    expect(errors).toHaveLength(3);
    expect(String(errors[0])).toMatch(/writeable/);
  });

  it("keeps invalidation failures visible", async () => {
    const redis = connectRedis(`redis://127.0.0.1:${await freePort()}`, "cache-test");
    clients.push(redis);
    await expect(createRedisCache(redis).del(["cache-test:thing:a"])).rejects.toThrow();
  });
});

describe("groupBySlot", () => {
  it("sends every key in one command to a single server, and one command per hash slot to a cluster", () => {
    const server = new Redis({ lazyConnect: true });
    const cluster = new Cluster([{ host: "127.0.0.1", port: 1 }], { lazyConnect: true });
    clients.push(server, cluster);
    const keys = [
      "catalog:product:v1:a",
      "{orders:events}",
      "catalog:product:v1:b",
      "loyalty:dead-letter:{orders:events}",
      "orders:events",
    ];
    expect(groupBySlot(server, keys)).toEqual([[0, 1, 2, 3, 4]]);
    // A hash tag hashes only what is inside the braces: "{orders:events}", "…:{orders:events}" and "orders:events" share a slot.
    expect(groupBySlot(cluster, keys)).toEqual([[0], [1, 3, 4], [2]]);
    expect(groupBySlot(cluster, [])).toEqual([]);
  });
});
