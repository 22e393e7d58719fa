import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisHandle } from "@commerce/stack";
import {
  cachedBatch,
  connectRedis,
  createRedisCache,
  jsonCodec,
  redisGuard,
  redisReady,
  type RedisClient,
} from "../src/index.js";

// A private redis-server: this test pauses and kills it, so it must never be the shared one.
let dir: string;
let server: RedisHandle;
let redis: RedisClient;
let loads = 0;
let load: (ids: readonly string[]) => Promise<({ id: string } | null)[]>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cache-fault-"));
  server = await startRedisServer({ dataDir: dir });
  redis = connectRedis(server.url, "cache-fault", { commandTimeoutMs: 200 });
  await redisReady(redis);
  load = cachedBatch<string, { id: string }>({
    name: "thingById",
    cache: createRedisCache(redis),
    namespace: "cache-fault:thing",
    ttlSeconds: 60,
    codec: jsonCodec(),
    load: async (ids) => {
      loads += 1;
      return new Map(ids.map((id) => [id, { id }]));
    },
  });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Loads through the cache and reports how long it took and whether the database was asked. */
async function timedLoad(ids: string[]): Promise<{ ms: number; fromDb: boolean; values: unknown }> {
  const before = loads;
  const started = performance.now();
  const values = await load(ids);
  return { ms: performance.now() - started, fromDb: loads > before, values };
}

/** Retries `probe` until it holds (recovery is asynchronous: reconnect back-off, then the guard's half-open probe). */
async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not recovered within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe("the cache when Redis stops answering", () => {
  it("serves from the database within the command timeout while Redis is paused, then caches again once it resumes", async () => {
    await timedLoad(["a"]);
    expect((await timedLoad(["a"])).fromDb).toBe(false);

    process.kill(server.pid, "SIGSTOP");
    try {
      // Each load answers from the database: the first ones after a command timeout, then at once (guard open).
      for (let i = 0; i < 5; i += 1) {
        const result = await timedLoad(["a"]);
        expect(result.values).toEqual([{ id: "a" }]);
        expect(result.fromDb).toBe(true);
        // A bound, not a speed target: without the timeout this load would wait for as long as Redis is paused.
        expect(result.ms).toBeLessThan(2000);
      }
      expect(redisGuard(redis).state).toBe("open");
    } finally {
      process.kill(server.pid, "SIGCONT");
    }
    await eventually(async () => !(await timedLoad(["a"])).fromDb);
    expect(redisGuard(redis).state).toBe("closed");
  });

  it("serves from the database while Redis is down, and reconnects and caches again when it is back", async () => {
    const { port } = server;
    process.kill(server.pid, "SIGKILL");
    await eventually(async () => redis.status !== "ready");
    for (let i = 0; i < 3; i += 1)
      expect(await timedLoad(["b"])).toMatchObject({ fromDb: true, values: [{ id: "b" }] });

    server = await startRedisServer({ dataDir: dir, port });
    await eventually(async () => {
      await timedLoad(["c"]);
      return !(await timedLoad(["c"])).fromDb;
    });
  });
});
