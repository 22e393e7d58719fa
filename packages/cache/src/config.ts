import type { EnvReader } from "@commerce/common";
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from "./redis.js";

/** The Redis settings every service reads (the router and each subgraph). */
export interface RedisConfig {
  /** `REDIS_URL`: redis:// or rediss:// (TLS); unset: the service runs without Redis (its README says how). */
  readonly redisUrl: string | undefined;
  /**
   * `REDIS_CLUSTER`: `REDIS_URL` is a seed node of a Redis Cluster (a managed service's configuration endpoint, or
   * any node); the client discovers the other nodes. @default false
   */
  readonly redisCluster: boolean;
  /** `REDIS_COMMAND_TIMEOUT_MS`: a Redis command without a reply after this long fails (a slow Redis is a miss). @default 500 */
  readonly redisCommandTimeoutMs: number;
}

/** Reads {@link RedisConfig} with the service's reader, so its problems are reported with the service's own. */
export function readRedisConfig(read: EnvReader): RedisConfig {
  const redisUrl = read.url("REDIS_URL", undefined, ["redis:", "rediss:"]);
  const redisCluster = read.bool("REDIS_CLUSTER", false);
  if (redisCluster && redisUrl === undefined)
    read.problem("REDIS_CLUSTER=true needs REDIS_URL: set it to a node of the cluster (or its configuration endpoint)");
  if (redisCluster && redisUrl !== undefined && URL.canParse(redisUrl)) {
    const database = new URL(redisUrl).pathname.slice(1);
    if (database !== "" && database !== "0")
      read.problem(
        `REDIS_URL names database ${database}, but a Redis Cluster has only database 0 (REDIS_CLUSTER=true)`,
      );
  }
  return {
    redisUrl,
    redisCluster,
    redisCommandTimeoutMs: read.int("REDIS_COMMAND_TIMEOUT_MS", DEFAULT_REDIS_COMMAND_TIMEOUT_MS, {
      min: 10,
      max: 60_000,
    }),
  };
}
