import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "@commerce/common";
import {
  CallFailure,
  HttpStatusError,
  RetryBudget,
  classifyFailure,
  createCallPolicy,
  isDegraded,
} from "../src/index.js";

/** A port nothing listens on: a server bound and closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function failureOf(promise: Promise<unknown>): Promise<CallFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CallFailure);
  return error as CallFailure;
}

const failWith = (error: unknown) => async (): Promise<never> => {
  throw error;
};
const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });

describe("classifyFailure", () => {
  it("names a refused connection of a real fetch SUBGRAPH_UNAVAILABLE, retryable and tripping", async () => {
    const port = await closedPort();
    const error = await fetch(`http://127.0.0.1:${port}/graphql`).catch((e: unknown) => e);
    const failure = classifyFailure(error);
    expect(failure).toMatchObject({
      code: ErrorCode.SUBGRAPH_UNAVAILABLE,
      reason: "connection refused",
      retryable: true,
      trips: true,
    });
  });

  it("names non-2xx answers SUBGRAPH_HTTP_ERROR; only 5xx and 429 trip, only 502-504 retry", () => {
    expect(classifyFailure(new HttpStatusError(503))).toMatchObject({
      code: ErrorCode.SUBGRAPH_HTTP_ERROR,
      status: 503,
      retryable: true,
      trips: true,
      reason: "HTTP 503",
    });
    expect(classifyFailure(new HttpStatusError(500))).toMatchObject({ retryable: false, trips: true });
    expect(classifyFailure(new HttpStatusError(429))).toMatchObject({ retryable: false, trips: true });
    expect(classifyFailure(new HttpStatusError(404))).toMatchObject({ retryable: false, trips: false });
  });

  it("treats the caller's abort as a cancellation, not a failure of the target", () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyFailure(refused, { cancelledBy: controller.signal })).toMatchObject({
      cancelled: true,
      trips: false,
      retryable: false,
    });
  });
});

describe("createCallPolicy", () => {
  it("times an attempt out with SUBGRAPH_TIMEOUT and aborts its signal", async () => {
    const policy = createCallPolicy("slow", { timeoutMs: 50, retries: 0 });
    let attemptSignal: AbortSignal | undefined;
    const started = performance.now();
    const failure = await failureOf(
      policy.execute((signal) => {
        attemptSignal = signal;
        return new Promise(() => undefined);
      }),
    );
    expect(failure).toMatchObject({ code: ErrorCode.SUBGRAPH_TIMEOUT, reason: "no answer within 50 ms" });
    expect(attemptSignal?.aborted).toBe(true);
    // Bounded, not exact: the machine is shared.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("aborts the attempt's signal once the call returned, unless abortOnReturn is off (a call that reads its answer whole)", async () => {
    const signals: AbortSignal[] = [];
    const call = async (signal: AbortSignal) => (signals.push(signal), "ok");
    expect(await createCallPolicy("default").execute(call)).toBe("ok");
    expect(await createCallPolicy("whole-answers", { abortOnReturn: false }).execute(call)).toBe("ok");
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false]);
    // Off, the timeout still aborts an attempt that does not return in time.
    const slow = createCallPolicy("slow-whole", { timeoutMs: 30, retries: 0, abortOnReturn: false });
    let attemptSignal: AbortSignal | undefined;
    const failure = await failureOf(slow.execute((signal) => ((attemptSignal = signal), new Promise(() => undefined))));
    expect(failure.code).toBe(ErrorCode.SUBGRAPH_TIMEOUT);
    expect(attemptSignal?.aborted).toBe(true);
  });

  it("retries an idempotent call after a retryable failure, and never a write", async () => {
    const policy = createCallPolicy("flaky", {
      retries: 2,
      retryDelayMs: 1,
      retryMaxDelayMs: 2,
      breakerConsecutiveFailures: 0,
    });
    let reads = 0;
    const value = await policy.execute(
      async () => {
        reads += 1;
        if (reads < 3) throw refused;
        return "ok";
      },
      { idempotent: true },
    );
    expect(value).toBe("ok");
    expect(reads).toBe(3);

    let writes = 0;
    const failure = await failureOf(
      policy.execute(async () => {
        writes += 1;
        throw refused;
      }),
    );
    expect(failure.code).toBe(ErrorCode.SUBGRAPH_UNAVAILABLE);
    expect(writes).toBe(1);
  });

  it("does not retry what cannot succeed by repeating (a 4xx, a timeout)", async () => {
    const policy = createCallPolicy("strict", {
      retries: 3,
      retryDelayMs: 1,
      timeoutMs: 20,
      breakerConsecutiveFailures: 0,
    });
    let calls = 0;
    await failureOf(
      policy.execute(
        async () => {
          calls += 1;
          throw new HttpStatusError(400);
        },
        { idempotent: true },
      ),
    );
    await failureOf(
      policy.execute(
        () => {
          calls += 1;
          return new Promise(() => undefined);
        },
        { idempotent: true },
      ),
    );
    expect(calls).toBe(2);
  });

  it("keeps retries within the budget when every call fails", async () => {
    const policy = createCallPolicy("down", {
      retries: 3,
      retryDelayMs: 1,
      retryMaxDelayMs: 1,
      retryBudgetRatio: 0.1,
      retryBudgetMinPerWindow: 5,
      retryBudgetWindowMs: 60_000,
      breakerConsecutiveFailures: 0,
      breakerErrorRate: 0,
    });
    let attempts = 0;
    const calls = 200;
    for (let i = 0; i < calls; i += 1) {
      await failureOf(
        policy.execute(
          async () => {
            attempts += 1;
            throw new HttpStatusError(503);
          },
          { idempotent: true },
        ),
      );
    }
    const retries = attempts - calls;
    // Without a budget this would be 3 × 200 = 600 retries.
    expect(retries).toBeGreaterThan(0);
    expect(retries).toBeLessThanOrEqual(Math.max(5, 0.1 * calls));
    expect(policy.retryBudget()).toEqual({ calls, retries });
  });

  it("opens after N consecutive failures, fails fast while open, half-opens and closes on a good probe", async () => {
    const policy = createCallPolicy("breaker", {
      retries: 0,
      breakerConsecutiveFailures: 3,
      breakerErrorRate: 0,
      breakerHalfOpenAfterMs: 100,
    });
    const states: string[] = [];
    policy.onStateChange((view) => states.push(view.state));
    for (let i = 0; i < 3; i += 1) await failureOf(policy.execute(failWith(refused)));
    expect(policy.view()).toMatchObject({
      state: "open",
      lastFailure: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, reason: "connection refused" },
    });

    let called = false;
    const fast = await failureOf(
      policy.execute(async () => {
        called = true;
      }),
    );
    expect(fast.code).toBe(ErrorCode.SUBGRAPH_CIRCUIT_OPEN);
    expect(called).toBe(false);

    await sleep(120);
    // The probe is in flight: other calls fail fast instead of queueing behind it.
    let release: (value: string) => void = () => undefined;
    const probe = policy.execute(() => new Promise<string>((resolve) => (release = resolve)));
    expect(policy.view().state).toBe("half-open");
    expect((await failureOf(policy.execute(async () => "other"))).code).toBe(ErrorCode.SUBGRAPH_CIRCUIT_OPEN);
    release("recovered");
    expect(await probe).toBe("recovered");
    expect(policy.view().state).toBe("closed");
    expect(await policy.execute(async () => "normal")).toBe("normal");
    expect(states).toEqual(["open", "half-open", "closed"]);
  });

  it("re-opens when the probe fails", async () => {
    const policy = createCallPolicy("relapse", {
      retries: 0,
      breakerConsecutiveFailures: 1,
      breakerErrorRate: 0,
      breakerHalfOpenAfterMs: 50,
    });
    await failureOf(policy.execute(failWith(refused)));
    await sleep(70);
    await failureOf(policy.execute(failWith(new HttpStatusError(503))));
    expect(policy.view()).toMatchObject({ state: "open", lastFailure: { code: ErrorCode.SUBGRAPH_HTTP_ERROR } });
  });

  it("opens on the error rate over the window even without a streak", async () => {
    const policy = createCallPolicy("rate", {
      retries: 0,
      breakerConsecutiveFailures: 0,
      breakerErrorRate: 0.5,
      breakerMinimumCalls: 10,
      breakerWindowMs: 60_000,
    });
    for (let i = 0; i < 40 && policy.view().state === "closed"; i += 1) {
      // Fails 2 of 3: never 2 in a row would matter to a streak breaker of 3, but the rate is 67 %.
      const call = i % 3 === 0 ? async () => "ok" : failWith(new HttpStatusError(500));
      await policy.execute(call).catch(() => undefined);
    }
    expect(policy.view().state).toBe("open");
  });

  it("never counts a 4xx or the caller's cancellation against the breaker", async () => {
    const policy = createCallPolicy("client-errors", {
      retries: 0,
      breakerConsecutiveFailures: 2,
      breakerErrorRate: 0,
    });
    for (let i = 0; i < 5; i += 1) await failureOf(policy.execute(failWith(new HttpStatusError(401))));
    for (let i = 0; i < 5; i += 1) {
      const controller = new AbortController();
      const pending = policy.execute(
        (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
        { signal: controller.signal },
      );
      controller.abort();
      expect((await failureOf(pending)).cancelled).toBe(true);
    }
    expect(policy.view().state).toBe("closed");
  });
});

describe("RetryBudget", () => {
  it("allows ratio × calls of the window, with a floor, and frees it as the window slides", () => {
    let now = 1_000_000;
    const budget = new RetryBudget({ ratio: 0.2, minPerWindow: 2, windowMs: 1000, now: () => now });
    for (let i = 0; i < 20; i += 1) budget.recordCall();
    let granted = 0;
    while (budget.tryRetry()) granted += 1;
    expect(granted).toBe(4);
    now += 1000;
    expect(budget.snapshot()).toEqual({ calls: 0, retries: 0 });
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });
});

describe("isDegraded", () => {
  it("holds a recovered target degraded for the settle time, so readiness does not flap", () => {
    const base = { name: "reviews", since: 10_000 };
    expect(isDegraded({ ...base, state: "closed" }, { now: 10_001 })).toBe(false);
    expect(isDegraded({ ...base, state: "open" }, { now: 10_001 })).toBe(true);
    expect(isDegraded({ ...base, state: "half-open" }, { now: 10_001 })).toBe(true);
    const recovered = { ...base, state: "closed" as const, lastFailure: { code: "SUBGRAPH_TIMEOUT", reason: "x" } };
    expect(isDegraded(recovered, { now: 15_000, settleMs: 10_000 })).toBe(true);
    expect(isDegraded(recovered, { now: 20_001, settleMs: 10_000 })).toBe(false);
  });
});

describe("a real socket that accepts and never answers", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.close();
  });

  it("is a SUBGRAPH_TIMEOUT after the attempt timeout, and the fetch is aborted", async () => {
    const policy = createCallPolicy("silent", { timeoutMs: 100, retries: 2 });
    const failure = await failureOf(
      policy.execute((signal) => fetch(`http://127.0.0.1:${port}/`, { signal }), { idempotent: true }),
    );
    expect(failure.code).toBe(ErrorCode.SUBGRAPH_TIMEOUT);
    expect(policy.retryBudget().retries).toBe(0);
  });
});
