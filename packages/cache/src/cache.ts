import { groupBySlot, isRedisBypassed, redisGuard, type RedisClient } from "./redis.js";

/**
 * The key-value operations the graph needs from a cache. Failures never reach a
 * request: the Redis implementation reports them through `onError` and answers
 * as a miss, so a Redis outage degrades to Postgres reads instead of errors. A
 * slow Redis is a miss too: commands time out (connectRedis), and while Redis
 * keeps failing the connection's guard answers misses without asking it.
 */
export interface Cache {
  readonly kind: "redis" | "memory";
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  setMany(entries: ReadonlyArray<readonly [string, string]>, ttlSeconds: number): Promise<void>;
  del(keys: readonly string[]): Promise<void>;
  /** True when the backing store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface RedisCacheOptions {
  /** Reports (and so lets the caller log) cache failures that were absorbed; not called while the guard is open. */
  onError?: (error: unknown) => void;
}

/**
 * The cache on a Redis server or a Redis Cluster. Multi-key commands go out once per hash slot on a cluster (one MGET,
 * DEL or pipeline per slot, all at once), through the guard of the node holding that slot: a node that fails turns
 * only its own keys into misses.
 */
export function createRedisCache(redis: RedisClient, { onError = () => undefined }: RedisCacheOptions = {}): Cache {
  const guard = redisGuard(redis);
  const absorb = (error: unknown) => {
    if (!isRedisBypassed(error)) onError(error);
  };
  /** Runs `command` once per slot group of `keys`, each through its node's guard. */
  const perSlot = <T>(
    keys: readonly string[],
    command: (group: string[], positions: number[]) => Promise<T>,
  ): Promise<T>[] =>
    groupBySlot(redis, keys).map((positions) => {
      const group = positions.map((position) => keys[position] as string);
      return guard.run(() => command(group, positions), group[0]);
    });
  return {
    kind: "redis",
    async mget(keys) {
      const values: (string | null)[] = keys.map(() => null);
      await Promise.all(
        perSlot(keys, async (group, positions) => {
          const found = await redis.mget(group);
          positions.forEach((position, i) => (values[position] = found[i] ?? null));
        }).map((read) => read.catch(absorb)),
      );
      return values;
    },
    async setMany(entries, ttlSeconds) {
      const keys = entries.map(([key]) => key);
      await Promise.all(
        perSlot(keys, async (_, positions) => {
          const pipeline = redis.pipeline();
          for (const position of positions) {
            const [key, value] = entries[position] as readonly [string, string];
            pipeline.set(key, value, "EX", ttlSeconds);
          }
          const results = (await pipeline.exec()) ?? [];
          const failed = results.find(([error]) => error);
          if (failed?.[0]) throw failed[0];
        }).map((write) => write.catch(absorb)),
      );
    },
    async del(keys) {
      // Invalidation must not be silently lost: let the caller see the failure (at once while the guard is open).
      await Promise.all(perSlot(keys, (group) => redis.del(group)));
    },
    async ping() {
      try {
        return (await redis.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** In-process cache (bounded, TTL'd) for running without Redis. */
export function createMemoryCache({ maxEntries = 50_000 }: { maxEntries?: number } = {}): Cache {
  const store = new Map<string, { value: string; expiresAt: number }>();
  return {
    kind: "memory",
    async mget(keys) {
      const now = Date.now();
      return keys.map((key) => {
        const entry = store.get(key);
        if (!entry) return null;
        if (entry.expiresAt <= now) {
          store.delete(key);
          return null;
        }
        return entry.value;
      });
    },
    async setMany(entries, ttlSeconds) {
      const expiresAt = Date.now() + ttlSeconds * 1000;
      for (const [key, value] of entries) {
        store.delete(key);
        store.set(key, { value, expiresAt });
      }
      // Maps iterate in insertion order: drop the oldest entries first.
      for (const key of store.keys()) {
        if (store.size <= maxEntries) break;
        store.delete(key);
      }
    },
    async del(keys) {
      for (const key of keys) store.delete(key);
    },
    ping: async () => true,
    close: async () => store.clear(),
  };
}
