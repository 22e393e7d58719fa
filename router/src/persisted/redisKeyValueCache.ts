import type { Redis } from "ioredis";

/** The shape of Apollo's `KeyValueCache<string>` (persisted-query cache), backed by Redis. */
export interface StringKeyValueCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/**
 * Apollo's automatic persisted queries in Redis, so every router instance knows a hash once one has seen its
 * query. Keys are `router:apq:<sha256>` (Apollo adds its own `apq:` prefix inside). Redis failures read as a
 * miss (the client then sends the full query) rather than failing the request.
 */
export function createRedisKeyValueCache(
  redis: Redis,
  { prefix = "router:", defaultTtlSeconds = 86_400, onError = () => undefined }: { prefix?: string; defaultTtlSeconds?: number; onError?: (error: unknown) => void } = {},
): StringKeyValueCache {
  return {
    async get(key) {
      try {
        return (await redis.get(prefix + key)) ?? undefined;
      } catch (error) {
        onError(error);
        return undefined;
      }
    },
    async set(key, value, options) {
      const ttl = options?.ttl === null ? undefined : (options?.ttl ?? defaultTtlSeconds);
      try {
        if (ttl === undefined) await redis.set(prefix + key, value);
        else await redis.set(prefix + key, value, "EX", Math.max(1, Math.ceil(ttl)));
      } catch (error) {
        onError(error);
      }
    },
    async delete(key) {
      try {
        return (await redis.del(prefix + key)) > 0;
      } catch (error) {
        onError(error);
        return false;
      }
    },
  };
}
