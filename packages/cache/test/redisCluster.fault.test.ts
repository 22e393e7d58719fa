import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import calculateSlot from "cluster-key-slot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "ioredis";
import { startRedisCluster, type RedisClusterHandle } from "@commerce/stack";
import {
  cachedBatch,
  connectRedis,
  createRedisCache,
  jsonCodec,
  redisGuard,
  redisReady,
  type Cache,
} from "../src/index.js";

// A private three-master Redis Cluster: this test pauses one of its nodes.
let dir: string;
let cluster: RedisClusterHandle;
let redis: Cluster;
let cache: Cache;
const loaded: string[] = [];
let load: (ids: readonly string[]) => Promise<({ id: string } | null)[]>;
const ids = Array.from({ length: 60 }, (_, i) => `thing-${i}`);
const keyOf = (id: string) => `cache-cluster:thing:${id}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cache-cluster-"));
  cluster = await startRedisCluster({ dataDir: dir });
  redis = connectRedis(cluster.url, "cache-cluster", { cluster: true, commandTimeoutMs: 200 }) as Cluster;
  await redisReady(redis);
  cache = createRedisCache(redis);
  load = cachedBatch<string, { id: string }>({
    name: "thingById",
    cache,
    namespace: "cache-cluster:thing",
    ttlSeconds: 60,
    codec: jsonCodec(),
    load: async (missing) => {
      loaded.push(...missing);
      return new Map(missing.map((id) => [id, { id }]));
    },
  });
});
afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The address ("127.0.0.1:port") of the master holding a key. */
const nodeOf = (key: string) => redis.slots[calculateSlot(key)]?.[0];

/** Loads through the cache and reports which ids the database was asked for. */
async function loadAll(keys: readonly string[]): Promise<{ values: unknown; fromDb: string[]; ms: number }> {
  const before = loaded.length;
  const started = performance.now();
  const values = await load(keys);
  return { values, fromDb: loaded.slice(before), ms: performance.now() - started };
}

describe("the cache on a Redis Cluster", () => {
  it("reads, writes and invalidates keys spread over every node (one command per hash slot)", async () => {
    // The ids hash to slots on all three masters, so a single MGET would be refused (CROSSSLOT).
    expect(new Set(ids.map((id) => nodeOf(keyOf(id)))).size).toBe(3);
    const expected = ids.map((id) => ({ id }));
    expect(await loadAll(ids)).toMatchObject({ values: expected, fromDb: ids });
    expect(await loadAll(ids)).toMatchObject({ values: expected, fromDb: [] });
    expect(await redis.get(keyOf("thing-7"))).toBe(JSON.stringify({ id: "thing-7" }));

    const invalidated = ids.slice(0, 20);
    await cache.del(invalidated.map(keyOf));
    expect(await loadAll(ids)).toMatchObject({ values: expected, fromDb: invalidated });
    expect(await cache.mget([])).toEqual([]);
  });

  it("keeps serving the other nodes' keys from the cache while one node is paused, and that node's again once it resumes", async () => {
    await loadAll(ids);
    const paused = cluster.nodes[0]!;
    const pausedAddress = `127.0.0.1:${paused.port}`;
    const onPaused = ids.filter((id) => nodeOf(keyOf(id)) === pausedAddress);
    expect(onPaused.length).toBeGreaterThan(0);
    process.kill(paused.pid, "SIGSTOP");
    try {
      for (let i = 0; i < 5; i += 1) {
        const result = await loadAll(ids);
        expect(result.values).toEqual(ids.map((id) => ({ id })));
        // Only the paused node's keys come from the database; the others are still cache hits.
        expect(result.fromDb.sort()).toEqual([...onPaused].sort());
        // A bound, not a speed target: without the command timeout this load would wait for as long as the node is paused.
        expect(result.ms).toBeLessThan(2000);
      }
      expect(redisGuard(redis).state).toBe("open");
      // The other nodes' breakers stay closed: a key there is read in one round trip.
      const elsewhere = ids.find((id) => nodeOf(keyOf(id)) !== pausedAddress)!;
      expect(await redisGuard(redis).run(() => redis.get(keyOf(elsewhere)), keyOf(elsewhere))).not.toBeNull();
    } finally {
      process.kill(paused.pid, "SIGCONT");
    }
    const deadline = Date.now() + 10_000;
    while ((await loadAll(ids)).fromDb.length > 0) {
      if (Date.now() > deadline) throw new Error("the paused node's keys were not cached again within 10 s");
      await sleep(100);
    }
    expect(redisGuard(redis).state).toBe("closed");
  });
});
