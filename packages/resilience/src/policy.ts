import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  SamplingBreaker,
  TimeoutStrategy,
  circuitBreaker,
  decorrelatedJitterGenerator,
  handleWhen,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type IBreaker,
  type RetryPolicy,
  type TimeoutPolicy,
} from "cockatiel";
import { CallFailure, classifyFailure } from "./failure.js";
import { RetryBudget } from "./retryBudget.js";

/** Knobs of one target's policy. Every field has a default (see the package README). */
export interface CallPolicyOptions {
  /** Abort an attempt after this long. @default 5000 */
  timeoutMs?: number;
  /** Extra attempts for an idempotent call after a retryable failure (connection refused/reset, 502/503/504). @default 2 */
  retries?: number;
  /** First back-off before a retry; later ones grow exponentially with decorrelated jitter. @default 50 */
  retryDelayMs?: number;
  /** Longest back-off. @default 1000 */
  retryMaxDelayMs?: number;
  /** Retries may not exceed this share of the calls of the last `retryBudgetWindowMs`. @default 0.1 */
  retryBudgetRatio?: number;
  /** Retries always allowed per window. @default 10 */
  retryBudgetMinPerWindow?: number;
  /** @default 10_000 */
  retryBudgetWindowMs?: number;
  /** Open the breaker after this many failed attempts in a row (0: never on a streak). @default 5 */
  breakerConsecutiveFailures?: number;
  /** Open the breaker when this share of the attempts of `breakerWindowMs` failed (0: never on a rate). @default 0.5 */
  breakerErrorRate?: number;
  /** …and at least this many attempts were made in that window. @default 20 */
  breakerMinimumCalls?: number;
  /** @default 10_000 */
  breakerWindowMs?: number;
  /** How long the breaker stays open before it lets one probe call through (half-open). @default 5000 */
  breakerHalfOpenAfterMs?: number;
  /**
   * Abort the attempt's signal once the call has returned too, which cancels whatever it left running (a response
   * body it did not read). A caller whose call always finishes its work before it returns (reads the whole body) can
   * turn this off and save an AbortError, with its stack trace, and an abort event on every call. @default true
   */
  abortOnReturn?: boolean;
}

/** The defaults of `CallPolicyOptions`. */
export const DEFAULT_CALL_POLICY: Readonly<Required<CallPolicyOptions>> = Object.freeze({
  timeoutMs: 5000,
  retries: 2,
  retryDelayMs: 50,
  retryMaxDelayMs: 1000,
  retryBudgetRatio: 0.1,
  retryBudgetMinPerWindow: 10,
  retryBudgetWindowMs: 10_000,
  breakerConsecutiveFailures: 5,
  breakerErrorRate: 0.5,
  breakerMinimumCalls: 20,
  breakerWindowMs: 10_000,
  breakerHalfOpenAfterMs: 5000,
  abortOnReturn: true,
});

export type BreakerState = "closed" | "open" | "half-open";

/** One target's breaker, for readiness and logs. */
export interface BreakerView {
  name: string;
  state: BreakerState;
  /** When the breaker last changed state (ms since the epoch); when the policy was made if it never did. */
  since: number;
  /** The failure that opened it last, if it ever opened. */
  lastFailure?: { code: string; reason: string };
}

export interface ExecuteOptions {
  /** The call may be repeated without harm (a read): only then is it retried. @default false */
  idempotent?: boolean;
  /** The caller's deadline or cancellation: aborts the attempt in flight and any retry. */
  signal?: AbortSignal | undefined;
}

/** Timeout, budgeted retries and a circuit breaker for the calls to one target. */
export interface CallPolicy {
  readonly name: string;
  readonly options: Readonly<Required<CallPolicyOptions>>;
  /**
   * Runs `call` under the policy. `call` gets the attempt's signal (aborted at the timeout or the caller's abort) and
   * throws on failure (`HttpStatusError` for a non-2xx answer). Failures reject with a `CallFailure`.
   */
  execute<T>(call: (signal: AbortSignal) => Promise<T>, options?: ExecuteOptions): Promise<T>;
  /** The breaker's state now. */
  view(): BreakerView;
  /** Calls `listener` on every breaker state change; returns the unsubscribe. */
  onStateChange(listener: (view: BreakerView) => void): () => void;
  /** Calls and retries in the retry budget's current window. */
  retryBudget(): { calls: number; retries: number };
}

const STATES: Readonly<Record<CircuitState, BreakerState>> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Isolated]: "open",
};

/** Opens when either breaker would: a streak of failures, or an error rate over the window. */
class EitherBreaker implements IBreaker {
  constructor(private readonly breakers: readonly IBreaker[]) {}
  get state(): unknown {
    return this.breakers.map((b) => b.state);
  }
  set state(value: unknown) {
    (value as unknown[]).forEach((state, i) => {
      const breaker = this.breakers[i];
      if (breaker) breaker.state = state;
    });
  }
  success(state: CircuitState): void {
    for (const breaker of this.breakers) breaker.success(state);
  }
  failure(state: CircuitState): boolean {
    let open = false;
    for (const breaker of this.breakers) open = breaker.failure(state) || open;
    return open;
  }
}

function breakerOf(o: Required<CallPolicyOptions>): IBreaker {
  const breakers: IBreaker[] = [];
  if (o.breakerConsecutiveFailures > 0) breakers.push(new ConsecutiveBreaker(o.breakerConsecutiveFailures));
  if (o.breakerErrorRate > 0) {
    breakers.push(
      new SamplingBreaker({
        threshold: o.breakerErrorRate,
        duration: o.breakerWindowMs,
        minimumRps: o.breakerMinimumCalls / (o.breakerWindowMs / 1000),
      }),
    );
  }
  return new EitherBreaker(breakers);
}

/**
 * The policy for one target (`name`: the service it calls). Per attempt, innermost first: a timeout (cockatiel,
 * aggressive: the attempt's signal is aborted and the call stops waiting), classification into a `CallFailure`,
 * the circuit breaker (counts failures that `trip`), then retries with decorrelated-jitter exponential back-off for
 * idempotent calls, each retry paid from the retry budget. While the breaker is open, or half-open with its probe in
 * flight, calls fail at once with `SUBGRAPH_CIRCUIT_OPEN`; after `breakerHalfOpenAfterMs` one call probes, and its
 * success closes the breaker.
 */
export function createCallPolicy(name: string, options: CallPolicyOptions = {}): CallPolicy {
  const o: Required<CallPolicyOptions> = { ...DEFAULT_CALL_POLICY, ...definedOnly(options) };
  const budget = new RetryBudget({
    ratio: o.retryBudgetRatio,
    minPerWindow: o.retryBudgetMinPerWindow,
    windowMs: o.retryBudgetWindowMs,
  });
  const attemptTimeout: TimeoutPolicy = timeout(o.timeoutMs, {
    strategy: TimeoutStrategy.Aggressive,
    abortOnReturn: o.abortOnReturn,
  });
  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((error) => error instanceof CallFailure && error.trips),
    { halfOpenAfter: o.breakerHalfOpenAfterMs, breaker: breakerOf(o) },
  );
  const retries: RetryPolicy = retry(
    // The budget is only asked for a retry that will happen: not after the last attempt, not for a write.
    handleWhen((error) => error instanceof CallFailure && error.retryable && !error.lastAttempt && budget.tryRetry()),
    {
      maxAttempts: o.retries,
      backoff: new ExponentialBackoff({
        generator: decorrelatedJitterGenerator,
        initialDelay: o.retryDelayMs,
        maxDelay: o.retryMaxDelayMs,
      }),
    },
  );

  let since = Date.now();
  let lastFailure: BreakerView["lastFailure"];
  const view = (): BreakerView => ({
    name,
    state: STATES[breaker.state],
    since,
    ...(lastFailure ? { lastFailure } : {}),
  });
  const listeners = new Set<(view: BreakerView) => void>();
  breaker.onBreak((reason) => {
    const error = "error" in reason ? reason.error : undefined;
    if (error instanceof CallFailure) lastFailure = { code: error.code, reason: error.reason };
  });
  breaker.onStateChange(() => {
    since = Date.now();
    const current = view();
    for (const listener of listeners) listener(current);
  });

  /** One attempt: fails fast on an open breaker, else runs the call under the timeout and classifies its failure. */
  const attempt = async <T>(
    call: (signal: AbortSignal) => Promise<T>,
    last: boolean,
    signal: AbortSignal | undefined,
  ): Promise<T> => {
    // cockatiel queues calls behind a half-open probe; failing them at once keeps "fail fast while open" true.
    if (breaker.state !== CircuitState.Closed && breaker.state !== CircuitState.Open) throw circuitOpen(last);
    try {
      return await breaker.execute(
        (ctx) =>
          attemptTimeout
            .execute((inner) => call(inner.signal), ctx.signal)
            .catch((error: unknown) => {
              const failure = classifyFailure(error, { timeoutMs: o.timeoutMs, cancelledBy: signal });
              failure.lastAttempt = last;
              throw failure;
            }),
        signal,
      );
    } catch (error) {
      const failure = classifyFailure(error, { timeoutMs: o.timeoutMs, cancelledBy: signal });
      failure.lastAttempt = last;
      throw failure;
    }
  };

  return {
    name,
    options: Object.freeze(o),
    async execute(call, { idempotent = false, signal } = {}) {
      if (signal?.aborted) throw classifyFailure(signal.reason, { cancelledBy: signal });
      budget.recordCall();
      if (!idempotent || o.retries === 0) return attempt(call, true, signal);
      return retries.execute(({ attempt: n }) => attempt(call, n >= o.retries, signal), signal);
    },
    view,
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    retryBudget: () => budget.snapshot(),
  };
}

function circuitOpen(last: boolean): CallFailure {
  const failure = classifyFailure(new BrokenCircuitError());
  failure.lastAttempt = last;
  return failure;
}

/**
 * Whether a target counts as degraded for readiness: its breaker is open or half-open, or closed again for less than
 * `settleMs` after it was open. The settle time keeps a target that keeps failing its probes (closed, open, half-open,
 * closed, …) reported degraded the whole time instead of flapping with each probe.
 */
export function isDegraded(
  view: BreakerView,
  { settleMs = 10_000, now = Date.now() }: { settleMs?: number; now?: number } = {},
): boolean {
  if (view.state !== "closed") return true;
  return view.lastFailure !== undefined && now - view.since < settleMs;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
