// The whole graph running as processes over a private Postgres and Redis, first soaked with the storefront mix
// (SOAK_SECONDS, default 15; `npm run soak -w @commerce/router` runs 10 minutes and writes BENCHMARKS.md), then
// broken for real: Redis paused and killed mid-traffic, Postgres restarted under an in-flight placeOrder, SIGTERM
// with requests in flight. One graph for all, started once (it takes most of this file's time).
import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USERS } from "@commerce/db";
import { startFaultGraph, type FaultGraph } from "./faultGraph.js";
import { RSS_BOUND_MIB, runSoak } from "./soak.js";
import { describeFailures, logIn, runMix, send, succeeded, type MixResult, type Outcome } from "./storefront.js";

/** No request may wait longer than this, whatever is down (a bound on hanging, not a speed target). */
const ANSWER_BOUND_MS = 5000;

let graph: FaultGraph;
beforeAll(async () => {
  graph = await startFaultGraph({
    serviceEnv: {
      // Short block and claim times, so the consumer notices a dead connection and redelivers quickly.
      loyalty: { EVENTS_BLOCK_MS: "200", EVENTS_CLAIM_IDLE_MS: "1000" },
      orders: { OUTBOX_POLL_INTERVAL_MS: "100" },
    },
  });
});
afterEach(() => {
  expect(graph.unexpectedExits(), graph.logs()).toEqual([]);
});
afterAll(async () => {
  await graph?.stop();
});

/** Runs the storefront mix while `fault` runs. */
async function mixDuring(fault: () => Promise<void>, shoppers = 3): Promise<MixResult> {
  const stop = new AbortController();
  const traffic = runMix(graph.url, { shoppers, signal: stop.signal });
  try {
    await fault();
  } finally {
    stop.abort();
  }
  return traffic;
}

/** No failure; else the failures and the services' last log lines. */
function expectNoFailures(failures: readonly Outcome[]): void {
  expect(failures.length, `${describeFailures(failures)}\n${graph.logs()}`).toBe(0);
}

/** Retries `probe` until it holds; fails after `timeoutMs`. */
async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${graph.logs()}`);
    await sleep(100);
  }
}

/** Redis's count of reads it answered from memory: it grows again once the services use Redis again. */
async function keyspaceHits(): Promise<number> {
  const info = await graph.redisClient().info("stats");
  return Number(/keyspace_hits:(\d+)/.exec(info)?.[1] ?? 0);
}

const soakSeconds = Number(process.env.SOAK_SECONDS ?? 15);

describe(`soak: the storefront mix for ${soakSeconds} s`, () => {
  it(
    "answers every request without an error and keeps every service under the RSS bound",
    { timeout: (soakSeconds + 60) * 1000 },
    async () => {
      const report = await runSoak({ seconds: soakSeconds, graph });
      expectNoFailures(report.failures);
      expect(report.visits).toBeGreaterThan(0);
      for (const [name, rss] of Object.entries(report.rss))
        expect(rss.peak, `${name} RSS (MiB)`).toBeLessThan(RSS_BOUND_MIB);
    },
  );
});

describe("Redis paused (a partition: the socket stays open, nothing answers)", () => {
  it("keeps answering from Postgres within the bound, APQ falls back to full queries, and Redis is used again once it resumes", async () => {
    const pid = graph.redis().pid;
    const apqQuery = "{ products(first: 2) { edges { node { id name } } } }";
    const apq = { persistedQuery: { version: 1, sha256Hash: createHash("sha256").update(apqQuery).digest("hex") } };
    const postApq = (withQuery: boolean) =>
      fetch(graph.url, {
        method: "POST",
        headers: { "content-type": "application/json", "apollo-require-preflight": "true" },
        body: JSON.stringify({ ...(withQuery ? { query: apqQuery } : {}), extensions: apq }),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] },
      }));

    let apqDuringPause: { hashOnly: string | undefined; full: number } | undefined;
    let readyDuringPause: { status: number; body: unknown } | undefined;
    const { outcomes, failures } = await mixDuring(async () => {
      await sleep(1500);
      process.kill(pid, "SIGSTOP");
      try {
        await sleep(1000);
        // Fails open: the hash is unknown while Redis does not answer, so the client sends the full query, which is served.
        const hashOnly = await postApq(false);
        const full = await postApq(true);
        apqDuringPause = { hashOnly: hashOnly.body.errors?.[0]?.extensions?.code, full: full.status };
        // A subgraph stays ready (in service), reporting Redis as degraded.
        const ready = await fetch(`${graph.processes.service("catalog").origin}/ready`);
        readyDuringPause = { status: ready.status, body: await ready.json() };
        await sleep(2500);
      } finally {
        process.kill(pid, "SIGCONT");
      }
      await sleep(1500);
    });

    expectNoFailures(failures);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(ANSWER_BOUND_MS);
    expect(outcomes.length).toBeGreaterThan(20);
    expect(apqDuringPause).toEqual({ hashOnly: "PERSISTED_QUERY_NOT_FOUND", full: 200 });
    expect(readyDuringPause).toMatchObject({
      status: 200,
      body: { status: "degraded", checks: { postgres: { ok: true }, redis: { ok: true, degraded: true } } },
    });

    // Recovery: cached loaders read Redis again (its hit counter moves) and the APQ hash is known again.
    const before = await keyspaceHits();
    await eventually(async () => {
      const first = await send(graph.url, "browse", { first: 20 });
      expect(succeeded(first)).toBe(true);
      return (await keyspaceHits()) > before;
    }, "the services to read Redis again");
    await eventually(
      async () => (await postApq(true)).status === 200 && (await postApq(false)).body.data !== undefined,
      "APQ in Redis again",
    );
  });
});

describe("Redis killed mid-traffic and restarted", () => {
  it("keeps serving, keeps every completed order's event, and credits each order's points exactly once", async () => {
    const staff = await logIn(graph.url, DEMO_USERS.staff);
    const customer = await logIn(graph.url, DEMO_USERS.customer);
    const customerId = customer.userId as string;
    const balanceBefore = (await graph.db.loyaltyAccount.findUnique({ where: { userId: customerId } }))?.balance ?? 0;
    const completed: string[] = [];

    /** Places an order and moves it through to COMPLETED (which writes order.completed to the outbox). */
    async function completeOne(): Promise<Outcome[]> {
      const results: Outcome[] = [];
      const page = await send(graph.url, "browse", { first: 5 });
      const product = (
        page.data?.products as { edges: { node: { id: string; available: boolean } }[] } | undefined
      )?.edges.find((e) => e.node.available)?.node;
      if (!product) return [page];
      const placed = await send(
        graph.url,
        "placeOrder",
        { input: { items: [{ productId: product.id, quantity: 1 }], idempotencyKey: randomUUID() } },
        customer.token,
      );
      results.push(placed);
      const orderId = (placed.data?.placeOrder as { order: { id: string } } | undefined)?.order.id;
      if (!orderId) return results;
      for (const status of ["PREPARING", "READY", "COMPLETED"])
        results.push(await send(graph.url, "updateOrderStatus", { input: { orderId, status } }, staff.token));
      if (results.every(succeeded)) completed.push(orderId);
      return results;
    }

    const outcomes: Outcome[] = [];
    const stop = new AbortController();
    const ordering = (async () => {
      while (!stop.signal.aborted) outcomes.push(...(await completeOne()));
    })();
    const browsing = runMix(graph.url, { shoppers: 2, signal: stop.signal });
    try {
      await sleep(1500);
      process.kill(graph.redis().pid, "SIGKILL");
      await sleep(2500);
      await graph.restartRedis();
      await sleep(2000);
    } finally {
      stop.abort();
    }
    await ordering;
    const browsed = await browsing;

    // Requests never depended on Redis: all answered, none waited past the bound.
    expectNoFailures([...outcomes.filter((o) => !succeeded(o)), ...browsed.failures]);
    expect(Math.max(...[...outcomes, ...browsed.outcomes].map((o) => o.ms))).toBeLessThan(ANSWER_BOUND_MS);
    expect(completed.length).toBeGreaterThan(3);

    // Every completed order reaches the stream (the outbox kept what Redis did not take) and is credited once.
    await eventually(
      async () => (await graph.db.outboxEvent.count({ where: { publishedAt: null } })) === 0,
      "the outbox to drain",
    );
    await eventually(
      async () =>
        (await graph.db.ledgerEntry.count({ where: { sourceOrderId: { in: completed } } })) === completed.length,
      "every completed order to be credited",
    );
    const orders = await graph.db.order.findMany({ where: { id: { in: completed } }, select: { totalAmount: true } });
    const entries = await graph.db.ledgerEntry.findMany({ where: { sourceOrderId: { in: completed } } });
    expect(entries).toHaveLength(completed.length);
    const credited = entries.reduce((sum, e) => sum + e.points, 0);
    expect(credited).toBe(orders.reduce((sum, o) => sum + Math.floor(o.totalAmount / 100), 0));
    const balanceAfter = (await graph.db.loyaltyAccount.findUniqueOrThrow({ where: { userId: customerId } })).balance;
    expect(balanceAfter - balanceBefore).toBe(credited);
  });
});

describe("Postgres restarted mid-traffic", () => {
  it("answers (errors, not hangs) while it is down, recovers, and a placeOrder cut in flight and retried with its key makes exactly one order", async () => {
    const customer = await logIn(graph.url, DEMO_USERS.customer);
    const page = await send(graph.url, "browse", { first: 5 });
    const product = (page.data?.products as { edges: { node: { id: string; available: boolean } }[] }).edges.find(
      (e) => e.node.available,
    )?.node;
    expect(product).toBeDefined();
    const idempotencyKey = randomUUID();
    const place = () =>
      send(
        graph.url,
        "placeOrder",
        { input: { items: [{ productId: product?.id, quantity: 2 }], idempotencyKey } },
        customer.token,
      );

    const catalog = graph.processes.service("catalog").child.pid as number;
    let inFlight: Promise<Outcome> | undefined;
    const { outcomes } = await mixDuring(async () => {
      await sleep(1000);
      // The catalog is paused, so this placeOrder is held in flight (orders waits for prices) when Postgres stops.
      process.kill(catalog, "SIGSTOP");
      try {
        inFlight = place();
        await sleep(300);
        await graph.restartPostgres(async () => {
          process.kill(catalog, "SIGCONT");
          await sleep(1500);
        });
      } finally {
        process.kill(catalog, "SIGCONT");
      }
      await sleep(1500);
    }, 2);

    // While Postgres was down requests failed, but each answered within the bound.
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(ANSWER_BOUND_MS);
    expect(outcomes.filter((o) => o.status === 0)).toEqual([]);
    // The client retries the cut placeOrder with the same key until it is answered.
    let attempt = await (inFlight as Promise<Outcome>);
    for (let i = 0; i < 20 && !succeeded(attempt); i += 1) {
      await sleep(250);
      attempt = await place();
    }
    expect(succeeded(attempt), describeFailures([attempt])).toBe(true);
    const again = await place();
    expect((again.data?.placeOrder as { order: { id: string } }).order.id).toBe(
      (attempt.data?.placeOrder as { order: { id: string } }).order.id,
    );
    expect(await graph.db.order.count({ where: { idempotencyKey } })).toBe(1);

    // Recovery: the storefront works again end to end.
    await eventually(async () => {
      const recovered = await mixDuring(() => sleep(1000), 1);
      return recovered.visits > 0 && recovered.failures.length === 0;
    }, "the storefront to recover");
  });
});

describe("SIGTERM with requests in flight", () => {
  /**
   * Sends `count` requests that wait on the paused catalog, SIGTERMs `name` while they are in flight, then resumes
   * the catalog. Returns their outcomes, the exit code, and (for the router) what a new request got meanwhile.
   */
  async function terminateWithInFlight(
    name: string,
    count: number,
    request: () => Promise<Outcome>,
    warmUp: () => Promise<Outcome> = request,
  ): Promise<{ outcomes: Outcome[]; code: number | null; refused?: Outcome }> {
    const catalog = graph.processes.service("catalog").child.pid as number;
    const target = graph.processes.service(name).child;
    const exited = new Promise<number | null>((resolve) => target.once("exit", (code) => resolve(code)));
    // Fresh keep-alive connections all along the way: one idle for longer than the catalog's keep-alive timeout
    // would be closed by the catalog the moment it resumes (its timers catch up at once), failing that request.
    await Promise.all(Array.from({ length: count }, warmUp));
    process.kill(catalog, "SIGSTOP");
    let pending: Promise<Outcome[]>;
    let refused: Outcome | undefined;
    try {
      pending = Promise.all(Array.from({ length: count }, request));
      // Let every request reach the process (they then wait on the catalog).
      await sleep(1000);
      void graph.processes.stopService(name);
      await sleep(500);
      // The router no longer accepts connections.
      if (name === "router") refused = await send(graph.url, "browse", { first: 1 }, undefined, 2000);
    } finally {
      process.kill(catalog, "SIGCONT");
    }
    const outcomes = await pending;
    return { outcomes, code: await exited, refused };
  }

  it("a subgraph (orders) finishes its 20 in-flight placeOrders, then exits 0", async () => {
    const customer = await logIn(graph.url, DEMO_USERS.customer);
    const page = await send(graph.url, "browse", { first: 5 });
    const product = (page.data?.products as { edges: { node: { id: string; available: boolean } }[] }).edges.find(
      (e) => e.node.available,
    )?.node;
    const keys: string[] = [];
    const order = (idempotencyKey: string) =>
      send(
        graph.url,
        "placeOrder",
        { input: { items: [{ productId: product?.id, quantity: 1 }], idempotencyKey } },
        customer.token,
      );
    const { outcomes, code } = await terminateWithInFlight(
      "orders",
      20,
      () => {
        const idempotencyKey = randomUUID();
        keys.push(idempotencyKey);
        return order(idempotencyKey);
      },
      () => order(randomUUID()),
    );
    expectNoFailures(outcomes.filter((o) => !succeeded(o)));
    expect(code).toBe(0);
    expect(await graph.db.order.count({ where: { idempotencyKey: { in: keys } } })).toBe(20);
    await graph.processes.restart("orders");
  });

  it("the router answers its 20 in-flight requests, refuses new connections, then exits 0", async () => {
    const { outcomes, code, refused } = await terminateWithInFlight("router", 20, () =>
      send(graph.url, "browse", { first: 20 }),
    );
    expectNoFailures(outcomes.filter((o) => !succeeded(o)));
    expect(outcomes).toHaveLength(20);
    expect(refused?.errors).toEqual(["ECONNREFUSED"]);
    expect(code).toBe(0);
    await graph.processes.restart("router");
    expect(succeeded(await send(graph.url, "browse", { first: 1 }))).toBe(true);
  });
});
