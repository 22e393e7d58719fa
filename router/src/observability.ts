import type { ApolloGateway } from "@apollo/gateway";
import type { ReadinessCheck, ReadinessResult } from "@commerce/http";
import { isDegraded, type BreakerView } from "@commerce/resilience";
import { activeSpan, tracer, type GraphMetrics } from "@commerce/telemetry";
import type { SubgraphPolicies } from "./dataPlane/policies.js";

interface QueryPlanStore {
  get(key: string): Promise<unknown>;
}

/**
 * Counts query-plan cache hits and misses and marks them in the trace: `graphql.plan.cache` on the
 * `gateway.request` span, and on a hit a `gateway.plan` span of its own (the gateway only makes
 * one when it plans, i.e. on a miss). The store is the gateway's internal LRU cache, created
 * with the gateway and only cleared on schema changes; if a gateway release renames it,
 * this does nothing (and the plan-cache series stay empty).
 */
export function instrumentQueryPlanCache(gateway: ApolloGateway, metrics: GraphMetrics | undefined): void {
  const store = (gateway as unknown as { queryPlanStore?: QueryPlanStore }).queryPlanStore;
  if (!store || typeof store.get !== "function") return;
  const get = store.get.bind(store);
  store.get = async (key) => {
    const plan = await get(key);
    const hit = plan !== undefined;
    metrics?.recordCacheLookup("query_plan", hit);
    const span = activeSpan();
    span?.setAttribute("graphql.plan.cache", hit ? "hit" : "miss");
    if (hit && span)
      tracer()
        .startSpan("gateway.plan", { attributes: { "graphql.plan.cache": "hit" } })
        .end();
    return plan;
  };
}

const JOIN_GRAPH_NAME = /@join__graph\(\s*name:\s*"([^"]+)"/g;

/**
 * The router's readiness: ready once it has a supergraph. Each subgraph of it is reported from its circuit breaker,
 * not probed: `degraded` while the breaker is open or half-open and for `settleMs` after it closes (so a subgraph
 * whose probes keep failing does not flap between states), `ok` otherwise (also before any call). A degraded
 * subgraph leaves the router ready: it still answers, with partial data, and taking every router out of the load
 * balancer because one subgraph is down would turn a partial outage into a full one. Probing each subgraph's
 * `/health` on every readiness probe (as before) multiplied probe traffic and flapped with a flaky subgraph.
 */
export function routerReadiness(
  gateway: ApolloGateway,
  policies: SubgraphPolicies,
  { settleMs = 10_000 }: { settleMs?: number } = {},
): () => Record<string, ReadinessCheck> {
  let subgraphs: string[] | undefined;
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    subgraphs = [...coreSupergraphSdl.matchAll(JOIN_GRAPH_NAME)].map(([, name = ""]) => name);
  });
  return () => {
    const checks: Record<string, ReadinessCheck> = { supergraph: async () => subgraphs !== undefined };
    for (const name of subgraphs ?? [])
      checks[`subgraph:${name}`] = async () => subgraphReadiness(policies.view(name), settleMs);
    return checks;
  };
}

function subgraphReadiness(view: BreakerView | undefined, settleMs: number): ReadinessResult {
  if (!view || !isDegraded(view, { settleMs })) return { ok: true };
  const since = new Date(view.since).toISOString();
  const cause = view.lastFailure ? ` (${view.lastFailure.code}: ${view.lastFailure.reason})` : "";
  const state = view.state === "closed" ? `recovered at ${since}, settling` : `circuit ${view.state} since ${since}`;
  return { ok: true, degraded: true, detail: `${state}${cause}` };
}
