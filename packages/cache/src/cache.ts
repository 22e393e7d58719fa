import type { Redis } from "ioredis";
import { isRedisBypassed, redisGuard } from "./redis.js";

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

export function createRedisCache(redis: Redis, { onError = () => undefined }: RedisCacheOptions = {}): Cache {
  const guard = redisGuard(redis);
  const absorb = (error: unknown) => {
    if (!isRedisBypassed(error)) onError(error);
  };
  return {
    kind: "redis",
    async mget(keys) {
      if (keys.length === 0) return [];
      try {
        return await guard.run(() => redis.mget(...keys));
      } catch (error) {
        absorb(error);
        return keys.map(() => null);
      }
    },
    async setMany(entries, ttlSeconds) {
      if (entries.length === 0) return;
      try {
        await guard.run(async () => {
          const pipeline = redis.pipeline();
          for (const [key, value] of entries) pipeline.set(key, value, "EX", ttlSeconds);
          const results = (await pipeline.exec()) ?? [];
          const failed = results.find(([error]) => error);
          if (failed?.[0]) throw failed[0];
        });
      } catch (error) {
        absorb(error);
      }
    },
    async del(keys) {
      if (keys.length === 0) return;
      // Invalidation must not be silently lost: let the caller see the failure (at once while the guard is open).
      await guard.run(() => redis.del(...keys));
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
