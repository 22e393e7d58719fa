import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { createOperationNameFolder, type OperationNameFolder } from "./operationNames.js";
import { REJECTION_REASONS, type OperationOutcome, type RejectionReason } from "./outcome.js";

/** Caches whose hit ratio is exported: automatic persisted queries, the gateway's query plans, entity rows in Redis. */
export type CacheName = "apq" | "query_plan" | "entity";
export type CostKind = "estimated" | "actual";
/** A subgraph fetch of root fields, or of `_entities` for representations. */
export type FetchKind = "root" | "entities";
/** Why a subgraph fetch failed (the `reason` label of `graphql_subgraph_fetch_errors_total`). */
export type SubgraphErrorReason = "http" | "network" | "timeout" | "circuit_open" | "graphql";

/** How a subscriber is connected: graphql-ws over WebSocket, or GraphQL over Server-Sent Events. */
export type SubscriptionTransport = "ws" | "sse";
/**
 * Why a subscription ended: the client (`client`), the subgraph's stream (`complete`), or the router: a slow
 * consumer, the caller's token expiring, shutdown, the subgraph not coming back in time, or an error.
 */
export const SUBSCRIPTION_END_REASONS = [
  "client",
  "complete",
  "slow_consumer",
  "token_expired",
  "shutdown",
  "upstream_unavailable",
  "error",
] as const;
export type SubscriptionEndReason = (typeof SUBSCRIPTION_END_REASONS)[number];

export interface OperationLabels {
  /** Already folded (see {@link GraphMetrics.operationName}). */
  operation: string;
  /** query, mutation, subscription, or unknown (did not parse). */
  type: string;
  outcome: OperationOutcome;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * One service's Prometheus metrics, in its own registry (not prom-client's global one), so
 * several services can run in one process. Every series carries a `service` label.
 */
export interface GraphMetrics {
  readonly registry: Registry;
  /** The bounded label for an operation name. */
  operationName(name: string | null | undefined): string;
  /** Names that always keep their own label (e.g. the safelist manifest). */
  allowOperationNames(names: Iterable<string>): void;
  observeOperation(labels: OperationLabels, seconds: number): void;
  observeSubgraphFetch(
    labels: { subgraph: string; kind: FetchKind; outcome: "success" | "error" },
    seconds: number,
  ): void;
  /**
   * A failed subgraph fetch: `http` (non-2xx), `network` (no answer), `timeout` (no answer in time), `circuit_open`
   * (not sent: the subgraph's breaker is open), `graphql` (answered with errors).
   */
  recordSubgraphError(subgraph: string, reason: SubgraphErrorReason): void;
  /** A request refused by a policy. Coded GraphQL errors are counted by the operation plugin already; call this for refusals that never reach Apollo. */
  recordRejection(reason: RejectionReason): void;
  /** An operation's estimated (before planning) or actual (from the response) cost. */
  observeCost(kind: CostKind, value: number): void;
  recordCacheLookup(cache: CacheName, hit: boolean, count?: number): void;
  /** A subscription opened (`+1`) or ended (`-1`, with why) on a transport: `graphql_subscriptions_active`. */
  trackSubscription(transport: SubscriptionTransport, delta: 1 | -1, reason?: SubscriptionEndReason): void;
  /**
   * One subscription event delivered to its subscriber: its outcome (as for operations: `success`, `partial`,
   * `error`) and how long resolving it took, from the subgraph's event to the response handed to the transport.
   */
  observeSubscriptionEvent(outcome: "success" | "partial" | "error", seconds: number): void;
  /** One DataLoader batch and its size. */
  observeBatch(loader: string, size: number): void;
  /** Exports the pool's connection counts on each scrape. */
  trackPool(stats: () => PoolStats | undefined): void;
  /** Exports 1 while `connected()` is true, on each scrape. */
  trackRedis(connected: () => boolean): void;
  /** The exposition text and its content type, for `/metrics`. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COST_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

export interface CreateMetricsOptions {
  /** The `service` label on every series. */
  service: string;
  /** Node process metrics (CPU, memory, event loop lag, GC). @default true */
  processMetrics?: boolean;
  /** Operation names counted as themselves before the rest fold to "other". @default 100 */
  maxOperationNames?: number;
  /** Names that never fold (the persisted-operations manifest). @default [] */
  knownOperationNames?: Iterable<string>;
}

export function createMetrics({
  service,
  processMetrics = true,
  maxOperationNames = 100,
  knownOperationNames = [],
}: CreateMetricsOptions): GraphMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const names: OperationNameFolder = createOperationNameFolder({
    allowed: knownOperationNames,
    maxNames: maxOperationNames,
  });

  const operations = new Counter({
    name: "graphql_operations_total",
    help: "GraphQL operations by (folded) operation name, type and outcome.",
    labelNames: ["operation", "type", "outcome"],
    registers,
  });
  const operationDuration = new Histogram({
    name: "graphql_operation_duration_seconds",
    help: "GraphQL operation latency, from request start to response.",
    labelNames: ["operation", "type", "outcome"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const fetchDuration = new Histogram({
    name: "graphql_subgraph_fetch_duration_seconds",
    help: "Router to subgraph fetch latency.",
    labelNames: ["subgraph", "kind", "outcome"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const fetchErrors = new Counter({
    name: "graphql_subgraph_fetch_errors_total",
    help: "Failed subgraph fetches by subgraph and reason (http, network, timeout, circuit_open, graphql).",
    labelNames: ["subgraph", "reason"],
    registers,
  });
  const rejections = new Counter({
    name: "graphql_rejections_total",
    help: "Requests refused by a policy, by reason.",
    labelNames: ["reason"],
    registers,
  });
  for (const reason of REJECTION_REASONS) rejections.inc({ reason }, 0);
  const cost = new Histogram({
    name: "graphql_operation_cost",
    help: "Estimated and actual operation cost (demand control units).",
    labelNames: ["kind"],
    buckets: COST_BUCKETS,
    registers,
  });
  const cacheLookups = new Counter({
    name: "graphql_cache_lookups_total",
    help: "Cache lookups by cache (apq, query_plan, entity) and result (hit, miss); hit ratio = hit / (hit + miss).",
    labelNames: ["cache", "result"],
    registers,
  });
  const subscriptionsActive = new Gauge({
    name: "graphql_subscriptions_active",
    help: "Subscriptions open now, by transport (ws: graphql-ws, sse: GraphQL over Server-Sent Events).",
    labelNames: ["transport"],
    registers,
  });
  for (const transport of ["ws", "sse"] as const) subscriptionsActive.set({ transport }, 0);
  const subscriptionsEnded = new Counter({
    name: "graphql_subscriptions_ended_total",
    help: "Subscriptions ended, by reason (client, complete, slow_consumer, token_expired, shutdown, upstream_unavailable, error).",
    labelNames: ["reason"],
    registers,
  });
  const subscriptionEvents = new Counter({
    name: "graphql_subscription_events_total",
    help: "Subscription events delivered to subscribers, by outcome (success, partial, error).",
    labelNames: ["outcome"],
    registers,
  });
  const subscriptionEventDuration = new Histogram({
    name: "graphql_subscription_event_duration_seconds",
    help: "Subscription event resolution: from the subgraph's event to the response handed to the transport (entity fetches included).",
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const batchSize = new Histogram({
    name: "dataloader_batch_size",
    help: "Keys per DataLoader batch, by loader.",
    labelNames: ["loader"],
    buckets: BATCH_BUCKETS,
    registers,
  });

  const pools: Array<() => PoolStats | undefined> = [];
  new Gauge({
    name: "db_pool_connections",
    help: "Postgres pool connections: total open, idle, and requests waiting for one.",
    labelNames: ["state"],
    registers,
    collect() {
      const all = pools.map((read) => read()).filter((s): s is PoolStats => s !== undefined);
      if (all.length === 0) return;
      for (const state of ["total", "idle", "waiting"] as const)
        this.set(
          { state },
          all.reduce((sum, s) => sum + s[state], 0),
        );
    },
  });
  const redisChecks: Array<() => boolean> = [];
  // Registered by the first trackRedis only: a service without Redis must not report "disconnected".
  const redisGauge = (): void =>
    void new Gauge({
      name: "redis_connected",
      help: "1 while the Redis connection is ready, else 0.",
      registers,
      // Merged over router workers (npm start --workers N): 1 only while every worker is connected.
      aggregator: "min",
      collect() {
        this.set(redisChecks.every((check) => check()) ? 1 : 0);
      },
    });

  return {
    registry,
    operationName: (name) => names.fold(name),
    allowOperationNames: (list) => names.allow(list),
    observeOperation(labels, seconds) {
      operations.inc(labels);
      operationDuration.observe(labels, seconds);
    },
    observeSubgraphFetch: (labels, seconds) => fetchDuration.observe(labels, seconds),
    recordSubgraphError: (subgraph, reason) => fetchErrors.inc({ subgraph, reason }),
    recordRejection: (reason) => rejections.inc({ reason: REJECTION_REASONS.includes(reason) ? reason : "other" }),
    observeCost(kind, value) {
      if (Number.isFinite(value) && value >= 0) cost.observe({ kind }, value);
    },
    recordCacheLookup(cache, hit, count = 1) {
      if (count > 0) cacheLookups.inc({ cache, result: hit ? "hit" : "miss" }, count);
    },
    trackSubscription(transport, delta, reason) {
      subscriptionsActive.inc({ transport }, delta);
      if (delta < 0) subscriptionsEnded.inc({ reason: reason ?? "client" });
    },
    observeSubscriptionEvent(outcome, seconds) {
      subscriptionEvents.inc({ outcome });
      subscriptionEventDuration.observe(seconds);
    },
    observeBatch: (loader, size) => batchSize.observe({ loader }, size),
    trackPool: (stats) => void pools.push(stats),
    trackRedis(connected) {
      if (redisChecks.push(connected) === 1) redisGauge();
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
