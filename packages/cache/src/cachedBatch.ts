import type { Cache } from "./cache.js";

export interface Codec<V> {
  encode(value: V): string;
  decode(raw: string): V;
}

/** JSON codec that turns the named ISO-string fields back into Dates. */
export function jsonCodec<V extends object>(dateFields: ReadonlyArray<keyof V & string> = []): Codec<V> {
  return {
    encode: (value) => JSON.stringify(value),
    decode(raw) {
      const value = JSON.parse(raw) as Record<string, unknown>;
      for (const field of dateFields)
        if (typeof value[field] === "string") value[field] = new Date(value[field] as string);
      return value as V;
    },
  };
}

export interface BatchStats {
  loader: string;
  size: number;
  cacheHits: number;
}

export interface CachedBatchOptions<K, V> {
  /** Loader name, used in stats (e.g. "productById"). */
  name: string;
  cache: Cache;
  /** Key prefix, namespaced `<package>:<purpose>` (e.g. "catalog:product:v1"). */
  namespace: string;
  ttlSeconds: number;
  codec: Codec<V>;
  /** Cache key suffix for a loader key. @default String(key) */
  keyOf?: (key: K) => string;
  /** Loads the misses from the database in one query; absent keys are simply missing from the map. */
  load: (keys: readonly K[]) => Promise<Map<string, V>>;
  onBatch?: (stats: BatchStats) => void;
}

/**
 * A DataLoader batch function that reads the cache first (one MGET), loads only
 * the misses from Postgres (one query), and writes what it loaded back with a TTL.
 * Keys that exist nowhere resolve to null.
 */
export function cachedBatch<K, V>(options: CachedBatchOptions<K, V>): (keys: readonly K[]) => Promise<(V | null)[]> {
  const { cache, namespace, ttlSeconds, codec, load, onBatch, name } = options;
  const keyOf = options.keyOf ?? ((key: K) => String(key));
  return async (keys) => {
    const ids = keys.map(keyOf);
    const cached = await cache.mget(ids.map((id) => `${namespace}:${id}`));
    const results: (V | null)[] = cached.map((raw) => (raw === null ? null : codec.decode(raw)));
    const missing = keys.filter((_, i) => cached[i] === null);
    if (missing.length > 0) {
      const loaded = await load(missing);
      const toWrite: [string, string][] = [];
      ids.forEach((id, i) => {
        if (cached[i] !== null) return;
        const value = loaded.get(id);
        if (value === undefined) return;
        results[i] = value;
        toWrite.push([`${namespace}:${id}`, codec.encode(value)]);
      });
      await cache.setMany(toWrite, ttlSeconds);
    }
    onBatch?.({ loader: name, size: keys.length, cacheHits: keys.length - missing.length });
    return results;
  };
}

/** The cache keys of the given ids in a namespace, for invalidation after a write. */
export function cacheKeys(namespace: string, ids: readonly string[]): string[] {
  return ids.map((id) => `${namespace}:${id}`);
}
