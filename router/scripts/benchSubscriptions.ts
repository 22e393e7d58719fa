// Subscriptions on one router instance with 1,000 concurrent subscribers, each its own WebSocket (graphql-ws) and
// signed-in caller, subscribed with operations/orders/OrderUpdates.graphql (orders, catalog, accounts and loyalty
// fields per event), while staff move orders PREPARING → READY → COMPLETED. Two scenarios:
//   own:    1,000 customers, each following their own order (each change goes to one subscriber);
//   fanout: 1,000 callers following the same order (each change goes to all of them).
// Prints the event latency (from the move's request to the subscriber's event) and the router's memory before, with
// and after the subscribers, then writes the figures to BENCHMARKS.md (its own section). The whole graph runs as
// processes over a private Postgres and Redis.
// Usage: npm run bench:subscriptions -w @commerce/router [-- --subscribers 1000 --scenarios own,fanout]
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { createTokenSigner } from "@commerce/auth";
import { DEMO_USERS } from "@commerce/db";
import { startFaultGraph, type FaultGraph } from "../test/faults/faultGraph.js";
import { percentile } from "../test/faults/storefront.js";
// The benchmark package's section writer (bench/ is its own npm package; this file has only Node imports).
import { writeSection } from "../../bench/src/harness/benchmarksFile.js";

const { values: args } = parseArgs({
  options: { subscribers: { type: "string", default: "1000" }, scenarios: { type: "string", default: "own,fanout" } },
});
const SUBSCRIBERS = Number(args.subscribers);
const SCENARIOS = (args.scenarios ?? "")
  .split(",")
  .filter((name): name is Scenario => name === "own" || name === "fanout");
type Scenario = "own" | "fanout";
/** Moves (and order placements) in flight at once: staff working through the kitchen. */
const MOVE_CONCURRENCY = 20;
const STATUSES = ["PREPARING", "READY", "COMPLETED"] as const;
const EVENT_TIMEOUT_MS = 60_000;
const operations = new URL("../../operations/orders/", import.meta.url);
const ORDER_UPDATES = readFileSync(new URL("OrderUpdates.graphql", operations), "utf8");
const PLACE_ORDER = readFileSync(new URL("PlaceOrder.graphql", operations), "utf8");
const MOVE = readFileSync(new URL("UpdateOrderStatus.graphql", operations), "utf8");

// The router process gets this preload: SIGUSR2 runs a full garbage collection, so that "memory after the
// subscribers left" is what is still referenced, not garbage waiting for the next collection.
const preloadDir = await mkdtemp(join(tmpdir(), "bench-subscriptions-"));
const preload = join(preloadDir, "gc-on-signal.mjs");
writeFileSync(
  preload,
  'import v8 from "node:v8";\nimport vm from "node:vm";\nv8.setFlagsFromString("--expose-gc");\nconst gc = vm.runInNewContext("gc");\nprocess.on("SIGUSR2", () => gc());\n',
);

const secret = randomBytes(32).toString("hex");
const services = ["accounts", "catalog", "orders", "loyalty", "reviews", "router"];
const serviceEnv: Record<string, Record<string, string>> = Object.fromEntries(
  services.map((name) => [name, { JWT_SECRET: secret }]),
);
// One caller per subscriber: the per-caller limit is never what stops them.
serviceEnv.router = { ...serviceEnv.router, NODE_OPTIONS: `--import ${preload}`, LOG_LEVEL: "warn" };
console.log(`starting the graph (processes, private Postgres and Redis)…`);
const graph: FaultGraph = await startFaultGraph({ serviceEnv });
const signer = createTokenSigner({ secret, ttlSeconds: 3600 });
const routerPid = graph.processes.service("router").child.pid as number;

/**
 * One request through the router. The machine is shared and busy: a request that fails (a subgraph timing out) is
 * sent again, up to 3 times (placeOrder has its idempotency key; a move that had committed answers "already there").
 */
async function post<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(graph.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as {
      data?: T;
      errors?: { extensions?: { reason?: string; from?: string; to?: string } }[];
    };
    if (body.data && !body.errors) return body.data;
    const moved = body.errors?.find(
      (e) => e.extensions?.reason === "INVALID_STATUS_TRANSITION" && e.extensions.from === e.extensions.to,
    );
    if (moved && attempt > 1) return {} as T;
    if (attempt === 3) throw new Error(`request failed: ${JSON.stringify(body.errors)}`);
    await sleep(200 * attempt);
  }
}

/** The router's metrics: heap in use, active subscriptions, and its event-resolution histogram. */
async function routerMetrics(): Promise<{
  heapMiB: number;
  active: number;
  buckets: Map<number, number>;
  count: number;
}> {
  const text = await (await fetch(new URL("/metrics", graph.url))).text();
  const value = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
  const buckets = new Map<number, number>();
  for (const match of text.matchAll(
    /^graphql_subscription_event_duration_seconds_bucket\{le="([^"]+)"[^}]*\} ([\d.e+]+)$/gm,
  )) {
    buckets.set(match[1] === "+Inf" ? Number.POSITIVE_INFINITY : Number(match[1]), Number(match[2]));
  }
  return {
    heapMiB: value(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)$/gm) / 1024 / 1024,
    active: value(/^graphql_subscriptions_active\{[^}]*\} ([\d.e+]+)$/gm),
    buckets,
    count: value(/^graphql_subscription_event_duration_seconds_count(?:\{[^}]*\})? ([\d.e+]+)$/gm),
  };
}

function rssMiB(): number {
  const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${routerPid}/status`, "utf8"))?.[1];
  return Number(kib) / 1024;
}

/** Heap and RSS after a full collection in the router. */
async function collectedMemory(): Promise<{ heapMiB: number; rssMiB: number }> {
  process.kill(routerPid, "SIGUSR2");
  await sleep(1_000);
  return { heapMiB: (await routerMetrics()).heapMiB, rssMiB: rssMiB() };
}

async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The upper bound of the histogram bucket holding the p-th percentile of the events of this round. */
function bucketPercentile(before: Map<number, number>, after: Map<number, number>, p: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  for (const bound of bounds)
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= (p / 100) * total) return bound * 1000;
  return Number.NaN;
}

interface Round {
  scenario: Scenario;
  subscribers: number;
  connectSeconds: number;
  delivered: number;
  missed: number;
  errors: number;
  latency: { p50: number; p95: number; p99: number; max: number };
  routerP50: number;
  routerP99: number;
  withSubscribers: { heapMiB: number; rssMiB: number };
  after: { heapMiB: number; rssMiB: number };
}

const staff = await graph.db.user.findFirstOrThrow({ where: { email: DEMO_USERS.staff } });
const staffToken = await signer.sign(staff.id, ["orders:manage"]);
const product = await graph.db.product.findFirstOrThrow({ where: { available: true }, orderBy: { sku: "asc" } });
const passwordHash = (await graph.db.user.findFirstOrThrow({ where: { email: DEMO_USERS.customer } })).passwordHash;

/** `count` customers in the accounts table (set up directly: their sign-up is not what is measured). */
async function customers(count: number, tag: string): Promise<string[]> {
  const users = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    email: `bench-${tag}-${i}@example.com`,
    displayName: `Bench ${tag} ${i}`,
    passwordHash,
  }));
  await graph.db.user.createMany({ data: users });
  return users.map((user) => user.id);
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function placeOrder(customerToken: string, key: string): Promise<string> {
  type Placed = { placeOrder: { order: { id: string } } };
  const placed = await post<Placed>(
    PLACE_ORDER,
    { input: { idempotencyKey: key, items: [{ productId: product.id, quantity: 1 }] } },
    customerToken,
  );
  return placed.placeOrder.order.id;
}

/**
 * One round: `count` subscribers (each a caller of its own) on their orders (`own`: one order each, placed by them)
 * or on one order (`fanout`: staff-scoped callers), three moves of every order, then everyone disconnects.
 */
async function round(scenario: Scenario, count: number, tag: string): Promise<Round> {
  let subscriptions: { token: string; orderId: string }[];
  if (scenario === "own") {
    const ids = await customers(count, tag);
    subscriptions = await Promise.all(
      ids.map(async (id) => ({ token: await signer.sign(id, ["profile"]), orderId: "" })),
    );
    await eachLimited(
      subscriptions,
      MOVE_CONCURRENCY,
      async (subscription) => void (subscription.orderId = await placeOrder(subscription.token, `bench-${tag}`)),
    );
  } else {
    const [owner] = await customers(1, tag);
    const orderId = await placeOrder(await signer.sign(owner as string, ["profile"]), `bench-${tag}`);
    subscriptions = await Promise.all(
      Array.from({ length: count }, async () => ({
        token: await signer.sign(randomUUID(), ["orders:manage"]),
        orderId,
      })),
    );
  }
  const orderIds = [...new Set(subscriptions.map((s) => s.orderId))];
  /** When each order's move to each status was sent, and when each subscriber got it. */
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const delivered = new Map<string, number>(STATUSES.map((status) => [status, 0]));
  let errors = 0;
  const clients: Client[] = [];
  const connectStart = performance.now();
  for (const { token, orderId } of subscriptions) {
    const client = createClient({
      url: graph.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    client.subscribe<{ orderUpdated: { status: string } }>(
      { query: ORDER_UPDATES, variables: { id: orderId } },
      {
        next: (result) => {
          const status = result.data?.orderUpdated.status;
          const sent = sentAt.get(`${orderId}:${status}`);
          if (result.errors || !status || sent === undefined) return void (errors += 1);
          latencies.push(performance.now() - sent);
          delivered.set(status, (delivered.get(status) ?? 0) + 1);
        },
        error: () => void (errors += 1),
        complete: () => undefined,
      },
    );
    clients.push(client);
  }
  await until(async () => (await routerMetrics()).active === count, `${count} subscriptions at the router`);
  const connectSeconds = (performance.now() - connectStart) / 1000;
  // The router has opened them upstream; give the orders subgraph a moment to register each with its feed.
  await sleep(2_000);
  const before = await routerMetrics();
  for (const status of STATUSES) {
    await eachLimited(orderIds, MOVE_CONCURRENCY, async (orderId) => {
      sentAt.set(`${orderId}:${status}`, performance.now());
      await post(MOVE, { input: { orderId, status } }, staffToken);
    });
    await until(() => (delivered.get(status) ?? 0) + errors >= count, `${status} at every subscriber`).catch(
      () => undefined,
    );
  }
  const afterEvents = await routerMetrics();
  const withSubscribers = { heapMiB: afterEvents.heapMiB, rssMiB: rssMiB() };
  await Promise.all(clients.map((client) => client.dispose()));
  await until(async () => (await routerMetrics()).active === 0, "every subscription to end");
  const after = await collectedMemory();
  return {
    scenario,
    subscribers: count,
    connectSeconds,
    delivered: latencies.length,
    missed: count * STATUSES.length - latencies.length - errors,
    errors,
    latency: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
    },
    routerP50: bucketPercentile(before.buckets, afterEvents.buckets, 50),
    routerP99: bucketPercentile(before.buckets, afterEvents.buckets, 99),
    withSubscribers,
    after,
  };
}

const started = new Date();
const load = loadavg()
  .map((n) => n.toFixed(1))
  .join(" ");
const rounds: Round[] = [];
let baseline: { heapMiB: number; rssMiB: number };
try {
  // Warm-up (JIT, connection pools, plan cache), then the baseline the rounds are compared with.
  console.log("warm-up round (50 subscribers)…");
  await round("own", 50, "warm-up");
  baseline = await collectedMemory();
  console.log(`baseline after warm-up: heap ${baseline.heapMiB.toFixed(1)} MiB, RSS ${baseline.rssMiB.toFixed(0)} MiB`);
  for (const scenario of SCENARIOS) {
    const result = await round(scenario, SUBSCRIBERS, scenario);
    rounds.push(result);
    const { latency } = result;
    console.log(
      `${scenario}: ${result.subscribers} subscribers connected in ${result.connectSeconds.toFixed(1)} s; ${result.delivered} events delivered, ${result.missed} missed, ${result.errors} errors; ` +
        `latency p50 ${latency.p50.toFixed(0)} ms, p95 ${latency.p95.toFixed(0)}, p99 ${latency.p99.toFixed(0)}, max ${latency.max.toFixed(0)}; ` +
        `heap ${result.withSubscribers.heapMiB.toFixed(1)} MiB with them, ${result.after.heapMiB.toFixed(1)} MiB after (RSS ${result.withSubscribers.rssMiB.toFixed(0)} → ${result.after.rssMiB.toFixed(0)} MiB)`,
    );
  }
} catch (error) {
  console.error(`the graph's last log lines:\n${graph.logs()}`);
  throw error;
} finally {
  await graph.stop();
  await rm(preloadDir, { recursive: true, force: true });
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const signed = (n: number) => `${n >= 0 ? "+" : "−"}${fmt(Math.abs(n), 1)}`;
const gateway = (
  JSON.parse(readFileSync(new URL("../../node_modules/@apollo/gateway/package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
const described: Record<Scenario, string> = {
  own: "customers, each following their own order",
  fanout: "callers following the same order",
};
const markdown = [
  "## Subscriptions: 1,000 concurrent subscribers on one router",
  "",
  `\`npm run bench:subscriptions -w @commerce/router -- --subscribers ${SUBSCRIBERS} --scenarios ${SCENARIOS.join(",")}\` — ${started.toISOString().slice(0, 16).replace("T", " ")} UTC, Node ${process.version}, @apollo/gateway ${gateway}, load average at start ${load} (2 shared cores).`,
  "",
  `The whole graph as processes (production mode) over a private Postgres and Redis, one router instance with its defaults (\`SUBSCRIPTIONS_MAX_CONCURRENT_EVENTS=64\`).`,
  `${SUBSCRIBERS} WebSockets (graphql-ws), each a different signed-in caller with one subscription, \`OrderUpdates\` (orders, catalog, accounts and loyalty fields:`,
  `three entity fetches per event and subscriber, each with the caller's token); staff move the orders PREPARING → READY → COMPLETED, ${MOVE_CONCURRENCY} moves`,
  "at a time. Latency: from the move's request leaving the benchmark to the subscriber's event arriving (the mutation, the outbox relay, the",
  "Redis stream, the orders subgraph's execution per subscription, the router's entity fetches, the socket); the router's own part (event",
  "in → result out, its wait for a turn included) is its `graphql_subscription_event_duration_seconds` histogram (bucket bounds). Memory: the",
  "router's V8 heap in use and RSS after a full garbage collection, after a 50-subscriber warm-up round (the baseline) and after each",
  "scenario's subscribers disconnected. No peer is run: @apollo/gateway serves no subscriptions.",
  "",
  `| Scenario | Connected in | Events delivered | Missed / errors | p50 | p95 | p99 | max | Router p50 / p99 (bucket) | Heap with them | Heap after (baseline ${fmt(baseline!.heapMiB, 1)} MiB) | RSS after (baseline ${fmt(baseline!.rssMiB)} MiB) |`,
  "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ...rounds.map(
    (r) =>
      `| ${r.subscribers} ${described[r.scenario]} | ${fmt(r.connectSeconds, 1)} s | ${r.delivered} | ${r.missed} / ${r.errors} | ${fmt(r.latency.p50)} ms | ${fmt(r.latency.p95)} ms | **${fmt(r.latency.p99)} ms** | ${fmt(r.latency.max)} ms | ≤ ${fmt(r.routerP50)} / ≤ ${fmt(r.routerP99)} ms | ${fmt(r.withSubscribers.heapMiB, 1)} MiB | ${fmt(r.after.heapMiB, 1)} MiB | ${fmt(r.after.rssMiB)} MiB |`,
  ),
  "",
  `After each scenario every subscription had ended (\`graphql_subscriptions_active\` back to 0) and the heap had changed by ${rounds
    .map(
      (r, i) =>
        `${signed(r.after.heapMiB - (i === 0 ? baseline!.heapMiB : (rounds[i - 1] as Round).after.heapMiB))} MiB`,
    )
    .join(", then ")}`,
  `with ${SUBSCRIBERS} new callers each time: no cost per subscriber stays, only what the router's bounded caches take in (e.g. verified tokens,`,
  "an LRU of up to 10,000 of them).",
].join("\n");
console.log(`\n${markdown}\n`);
writeSection(fileURLToPath(new URL("../../BENCHMARKS.md", import.meta.url)), "subscriptions", markdown);
console.log("written to BENCHMARKS.md (subscriptions section)");
if (rounds.some((r) => r.missed > 0 || r.errors > 0)) process.exitCode = 1;
