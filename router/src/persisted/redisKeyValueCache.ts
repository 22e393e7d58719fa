import { isRedisBypassed, redisGuard, type RedisClient } from "@commerce/cache";

/** The shape of Apollo's `KeyValueCache<string>` (persisted-query cache), backed by Redis. */
export interface StringKeyValueCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/**
 * Apollo's automatic persisted queries in Redis, so every router instance knows a hash once one has seen its
 * query. Keys are `router:apq:<sha256>` (Apollo adds its own `apq:` prefix inside).
 *
 * Fails open: a Redis failure or timeout reads as a miss, so Apollo answers PERSISTED_QUERY_NOT_FOUND and the
 * client resends the full query, which is served as usual (and not stored). While the connection's guard is open
 * (Redis keeps failing) nothing waits on Redis at all. Failing closed would refuse every hash-only request for as
 * long as Redis is out, although each client holds the full query and can send it.
 */
export function createRedisKeyValueCache(
  redis: RedisClient,
  {
    prefix = "router:",
    defaultTtlSeconds = 86_400,
    onError = () => undefined,
  }: { prefix?: string; defaultTtlSeconds?: number; onError?: (error: unknown) => void } = {},
): StringKeyValueCache {
  const guard = redisGuard(redis);
  const absorb = (error: unknown) => {
    if (!isRedisBypassed(error)) onError(error);
  };
  return {
    async get(key) {
      try {
        return (await guard.run(() => redis.get(prefix + key), prefix + key)) ?? undefined;
      } catch (error) {
        absorb(error);
        return undefined;
      }
    },
    async set(key, value, options) {
      const ttl = options?.ttl === null ? undefined : (options?.ttl ?? defaultTtlSeconds);
      try {
        await guard.run(
          () =>
            ttl === undefined
              ? redis.set(prefix + key, value)
              : redis.set(prefix + key, value, "EX", Math.max(1, Math.ceil(ttl))),
          prefix + key,
        );
      } catch (error) {
        absorb(error);
      }
    },
    async delete(key) {
      try {
        return (await guard.run(() => redis.del(prefix + key), prefix + key)) > 0;
      } catch (error) {
        absorb(error);
        return false;
      }
    },
  };
}
