import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll, type CircuitBreakerPolicy } from "cockatiel";
import { Redis } from "ioredis";
import type { Logger } from "@commerce/common";

/** How long a Redis command may take before it fails (`REDIS_COMMAND_TIMEOUT_MS`). */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;

export interface ConnectRedisOptions {
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
 * retried at most once across a reconnect, and the client reconnects by itself with back-off.
 */
export function connectRedis(url: string, name: string, { commandTimeoutMs = DEFAULT_REDIS_COMMAND_TIMEOUT_MS, logger }: ConnectRedisOptions = {}): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    commandTimeout: commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: reconnectDelayMs,
  });
  // One line per failed (re)connect attempt; the guard logs when callers start and stop bypassing Redis.
  redis.on("error", (error: unknown) => logger?.warn({ err: error, redis: name }, "redis connection error"));
  guards.set(redis, createGuard(name, logger));
  return redis;
}

/** Resolves once the connection is ready (start-up code that must talk to Redis before serving), or throws after `timeoutMs`. */
export async function redisReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
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
 * A circuit breaker in front of one Redis connection. After consecutive failures (timeouts included) it opens:
 * calls fail at once with {@link BrokenCircuitError} instead of each waiting for its own timeout, so callers fall
 * back (a cache miss, an allowed operation) without delay. After `halfOpenAfter` one call probes Redis; a success
 * closes the breaker again.
 */
export interface RedisGuard {
  run<T>(call: () => Promise<T>): Promise<T>;
  readonly state: "closed" | "open" | "half-open";
}

const guards = new WeakMap<Redis, RedisGuard>();

function createGuard(name: string, logger?: Logger): RedisGuard {
  const breaker: CircuitBreakerPolicy = circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) });
  breaker.onBreak(() => logger?.warn({ redis: name }, "redis unavailable: answering without it until it recovers"));
  breaker.onReset(() => logger?.info({ redis: name }, "redis recovered"));
  return {
    run: (call) => breaker.execute(call),
    get state() {
      if (breaker.state === CircuitState.Closed) return "closed";
      return breaker.state === CircuitState.HalfOpen ? "half-open" : "open";
    },
  };
}

/** The connection's guard: the one connectRedis made (with its logger), else one made now (silent). */
export function redisGuard(redis: Redis): RedisGuard {
  let guard = guards.get(redis);
  if (!guard) {
    guard = createGuard(redis.options.connectionName ?? "redis");
    guards.set(redis, guard);
  }
  return guard;
}

/** True when the guard refused the call without asking Redis (already reported when it opened). */
export function isRedisBypassed(error: unknown): boolean {
  return error instanceof BrokenCircuitError;
}
