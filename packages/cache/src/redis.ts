import calculateSlot from "cluster-key-slot";
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  type CircuitBreakerPolicy,
} from "cockatiel";
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import type { Logger } from "@commerce/common";

/**
 * What {@link connectRedis} returns: one Redis server, or a Redis Cluster (`REDIS_CLUSTER=true`). Both take the same
 * commands; only multi-key commands need care on a cluster ({@link groupBySlot}).
 */
export type RedisClient = Redis | Cluster;

/** How long a Redis command may take before it fails (`REDIS_COMMAND_TIMEOUT_MS`). */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;

export interface ConnectRedisOptions {
  /**
   * `url` is a seed node of a Redis Cluster (a managed service's configuration endpoint, or any node): the client
   * discovers the others and sends each command to the node that holds its keys. Only database 0 exists there.
   * @default false: `url` is one Redis server
   */
  cluster?: boolean;
  /**
   * A command without a reply after this long fails with "Command timed out", so a slow or partitioned Redis is
   * an error the caller absorbs, never a wait. Blocking reads (XREADGROUP BLOCK) need more than their block time.
   * @default 500
   */
  commandTimeoutMs?: number;
  /** Logs the connection's errors and its guard opening and closing. @default none: errors are not reported */
  logger?: Logger;
}

/** Reconnect back-off: 50 ms doubling to 2 s, with jitter so a fleet does not reconnect in lockstep. */
export function reconnectDelayMs(attempt: number): number {
  const ceiling = Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Connects to Redis so that it can never hold a request: every command has a timeout, commands sent while the
 * connection is down fail at once (no offline queue: it would grow without bound during an outage), a command is
 * retried at most once across a reconnect, and the client reconnects by itself with back-off. The same holds for each
 * node of a cluster, and a command bounced between cluster nodes (a failover or resharding in progress) is retried at
 * most three times, 100 ms apart, before it fails.
 */
export function connectRedis(
  url: string,
  name: string,
  { cluster = false, commandTimeoutMs = DEFAULT_REDIS_COMMAND_TIMEOUT_MS, logger }: ConnectRedisOptions = {},
): RedisClient {
  const perConnection = {
    connectionName: name,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  } satisfies RedisOptions;
  const redis: RedisClient = cluster
    ? connectCluster(url, perConnection)
    : new Redis(url, { ...perConnection, enableOfflineQueue: false, retryStrategy: reconnectDelayMs });
  // One line per failed (re)connect attempt; the guard logs when callers start and stop bypassing Redis.
  redis.on("error", (error: unknown) => logger?.warn({ err: error, redis: name }, "redis connection error"));
  guards.set(redis, createGuard(redis, name, logger));
  return redis;
}

function connectCluster(url: string, perConnection: RedisOptions): Cluster {
  const { protocol, hostname, port, username, password, pathname } = new URL(url);
  if (pathname.length > 1 && pathname !== "/0")
    throw new Error(`a Redis Cluster has only database 0, but REDIS_URL names ${pathname.slice(1)}`);
  const tls = protocol === "rediss:";
  const options: ClusterOptions = {
    enableOfflineQueue: false,
    clusterRetryStrategy: reconnectDelayMs,
    // A node whose connection dropped (restarted in place) is reconnected like a single server, not only after a MOVED.
    clusterNodeRetryStrategy: reconnectDelayMs,
    maxRedirections: 3,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2000,
    // With TLS, node certificates name hosts, not addresses: connect by the names the cluster announces.
    ...(tls
      ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) }
      : {}),
    redisOptions: {
      ...perConnection,
      ...(username ? { username: decodeURIComponent(username) } : {}),
      ...(password ? { password: decodeURIComponent(password) } : {}),
      ...(tls ? { tls: {} } : {}),
    },
  };
  return new Cluster([{ host: hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(port || 6379) }], options);
}

/**
 * The positions of `keys` grouped for multi-key commands (MGET, DEL, a pipeline): a cluster refuses a command whose
 * keys hash to different slots (CROSSSLOT), so there each group holds the keys of one slot; a single server gets one
 * group with every key. Keys that must share a command on a cluster share a hash tag (`{…}`) instead.
 */
export function groupBySlot(redis: RedisClient, keys: readonly string[]): number[][] {
  if (keys.length === 0) return [];
  if (!redis.isCluster) return [keys.map((_, position) => position)];
  const groups = new Map<number, number[]>();
  keys.forEach((key, position) => {
    const slot = calculateSlot(key);
    const group = groups.get(slot);
    if (group) group.push(position);
    else groups.set(slot, [position]);
  });
  return [...groups.values()];
}

/** Resolves once the connection is ready (start-up code that must talk to Redis before serving), or throws after `timeoutMs`. */
export async function redisReady(redis: RedisClient, timeoutMs = 10_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    // Connection errors meanwhile are expected (the client keeps reconnecting): only the deadline fails the wait.
    const timer = setTimeout(() => {
      redis.off("ready", ready);
      reject(new Error(`Redis was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const ready = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", ready);
  });
}

/**
 * A circuit breaker in front of one Redis connection (on a cluster: one per node). After consecutive failures
 * (timeouts included) it opens: calls fail at once with {@link BrokenCircuitError} instead of each waiting for its own
 * timeout, so callers fall back (a cache miss, an allowed operation) without delay. After `halfOpenAfter` one call
 * probes Redis; a success closes the breaker again. On a cluster a node that stops answering opens only its own
 * breaker: keys on the other nodes are still served.
 */
export interface RedisGuard {
  /** Runs `call` through the breaker of the server holding `key` (on a single server there is one breaker). */
  run<T>(call: () => Promise<T>, key?: string): Promise<T>;
  /** The breakers' worst state: "open" when any node's breaker is open. */
  readonly state: "closed" | "open" | "half-open";
}

const guards = new WeakMap<RedisClient, RedisGuard>();

function createGuard(redis: RedisClient, name: string, logger?: Logger): RedisGuard {
  const breakers = new Map<string, CircuitBreakerPolicy>();
  const breakerOf = (node: string): CircuitBreakerPolicy => {
    let breaker = breakers.get(node);
    if (breaker) return breaker;
    breaker = circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) });
    const where = redis.isCluster ? { redis: name, node } : { redis: name };
    breaker.onBreak(() => logger?.warn(where, "redis unavailable: answering without it until it recovers"));
    breaker.onReset(() => logger?.info(where, "redis recovered"));
    breakers.set(node, breaker);
    return breaker;
  };
  // A cluster node is named by its address ("host:port"), from the client's current slot map.
  const nodeOf = (key: string | undefined): string =>
    redis.isCluster && key !== undefined ? ((redis as Cluster).slots[calculateSlot(key)]?.[0] ?? "unmapped") : "server";
  return {
    run: (call, key) => breakerOf(nodeOf(key)).execute(call),
    get state() {
      // On a cluster, the breakers of the nodes that hold slots now (a node gone since, or "unmapped" from before
      // the slot map arrived, no longer matters).
      const slots = redis.isCluster ? (redis as Cluster).slots : [];
      const current = new Set(slots.map((owners) => owners[0]));
      const states = [...breakers]
        .filter(([node]) => current.size === 0 || current.has(node))
        .map(([, breaker]) => breaker.state);
      if (states.includes(CircuitState.Open) || states.includes(CircuitState.Isolated)) return "open";
      return states.includes(CircuitState.HalfOpen) ? "half-open" : "closed";
    },
  };
}

/** The connection's guard: the one connectRedis made (with its logger), else one made now (silent). */
export function redisGuard(redis: RedisClient): RedisGuard {
  let guard = guards.get(redis);
  if (!guard) {
    const name =
      (redis.isCluster
        ? (redis as Cluster).options.redisOptions?.connectionName
        : (redis as Redis).options.connectionName) ?? "redis";
    guard = createGuard(redis, name);
    guards.set(redis, guard);
  }
  return guard;
}

/** True when the guard refused the call without asking Redis (already reported when it opened). */
export function isRedisBypassed(error: unknown): boolean {
  return error instanceof BrokenCircuitError;
}
