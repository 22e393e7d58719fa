import { ErrorCode } from "@commerce/common";
import { CallFailure } from "@commerce/resilience";

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
}

/**
 * In-flight de-duplication: callers asking for the same key while a call for it runs share that call instead of
 * making their own. The key must hold everything that can change the answer (see SubgraphDataSource). Each caller
 * can give up on its own (its signal); the shared call is aborted only when every caller has given up. Nothing is
 * kept once the call settles: this is not a cache.
 */
export class InflightCalls<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** Joins the call running for `key`, or starts one with `start` (which gets a signal aborted when no caller is left). */
  async run(
    key: string,
    start: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<{ value: T; shared: boolean }> {
    let flight = this.flights.get(key);
    const shared = flight !== undefined;
    if (!flight) {
      const controller = new AbortController();
      const created: Flight<T> = { promise: start(controller.signal), controller, waiters: 0, settled: false };
      const forget = () => {
        created.settled = true;
        if (this.flights.get(key) === created) this.flights.delete(key);
      };
      created.promise.then(forget, forget);
      this.flights.set(key, created);
      flight = created;
    }
    flight.waiters += 1;
    try {
      return { value: await untilAborted(flight.promise, signal), shared };
    } finally {
      flight.waiters -= 1;
      // Only a call still running needs stopping: aborting a settled one costs an AbortError and an event for nothing.
      if (flight.waiters === 0 && !flight.settled) flight.controller.abort();
    }
  }

  /** Calls running now (for tests and metrics). */
  get size(): number {
    return this.flights.size;
  }
}

/**
 * `promise`, or a cancellation as soon as `signal` aborts (a policy's back-off between retries does not watch
 * the signal, and a caller past its deadline must not wait for it).
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelled(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function cancelled(signal: AbortSignal): CallFailure {
  return new CallFailure({
    code: ErrorCode.SUBGRAPH_TIMEOUT,
    reason: "cancelled by the caller",
    retryable: false,
    trips: false,
    cancelled: true,
    cause: signal.reason,
  });
}
