import { redisGuard, type RedisClient } from "@commerce/cache";

/** The outcome of charging an operation to a client's budget. */
export type BudgetCharge =
  | { allowed: true; spent: number; remaining: number }
  | { allowed: false; spent: number; remaining: number; retryAfterSeconds: number };

export interface CostBudget {
  /** The budget per window. */
  readonly budget: number;
  readonly windowSeconds: number;
  /** Charges `cost` to `clientId` unless that would pass the budget; a refused operation is not charged. */
  charge(clientId: string, cost: number): Promise<BudgetCharge>;
}

export interface RedisCostBudgetOptions {
  /** Cost a client may spend per window. */
  budget: number;
  /** Fixed window length. @default 60 */
  windowSeconds?: number;
  /** Key prefix (`<package>:<purpose>:`). @default "router:cost-budget:" */
  prefix?: string;
}

// Atomic check-and-charge: refuse without charging when the budget would be passed, so an expensive request that
// is refused does not eat the rest of the window. Returns { spent, ttl in ms, allowed 1/0 }.
const CHARGE = `
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
local budget = tonumber(ARGV[2])
if spent + cost > budget then
  return { spent, redis.call('PTTL', KEYS[1]), 0 }
end
spent = redis.call('INCRBY', KEYS[1], cost)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return { spent, redis.call('PTTL', KEYS[1]), 1 }
`;

/**
 * A per-client cost budget per fixed time window, shared by every router instance through Redis. Each client has
 * its own counter (`router:cost-budget:<client>:<window>`), so an expensive client never spends a cheap one's budget.
 *
 * `charge` throws when Redis fails or times out, at once while the connection's guard is open; the demand-control
 * plugin then lets the operation through (fails open). Failing closed would turn a Redis outage into a full outage
 * of the graph; failing open loses only the per-client throttle for that time, while the static cost limit
 * (COST_MAX) still refuses every operation that is too expensive on its own.
 */
export function createRedisCostBudget(
  redis: RedisClient,
  { budget, windowSeconds = 60, prefix = "router:cost-budget:" }: RedisCostBudgetOptions,
): CostBudget {
  const windowMs = windowSeconds * 1000;
  const guard = redisGuard(redis);
  return {
    budget,
    windowSeconds,
    async charge(clientId, cost) {
      const window = Math.floor(Date.now() / windowMs);
      const key = `${prefix}${clientId}:${window}`;
      const [spent, ttlMs, allowed] = (await guard.run(
        () => redis.eval(CHARGE, 1, key, Math.max(0, Math.ceil(cost)), budget, windowMs),
        key,
      )) as [number, number, number];
      const remaining = Math.max(0, budget - spent);
      if (allowed === 1) return { allowed: true, spent, remaining };
      // The window ends when its key expires (or at the next window boundary when the key is gone).
      const untilBoundary = windowMs - (Date.now() % windowMs);
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((ttlMs > 0 ? Math.min(ttlMs, untilBoundary) : untilBoundary) / 1000),
      );
      return { allowed: false, spent, remaining, retryAfterSeconds };
    },
  };
}
