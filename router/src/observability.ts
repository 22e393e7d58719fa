import type { ApolloGateway } from "@apollo/gateway";
import type { ReadinessCheck } from "@commerce/http";
import { activeSpan, tracer, type GraphMetrics } from "@commerce/telemetry";
import { subgraphEnvName } from "./gateway.js";

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
    if (hit && span) tracer().startSpan("gateway.plan", { attributes: { "graphql.plan.cache": "hit" } }).end();
    return plan;
  };
}

const JOIN_GRAPH = /@join__graph\(\s*name:\s*"([^"]+)"\s*,\s*url:\s*"([^"]*)"/g;

/**
 * The router's readiness: it has a supergraph, and every subgraph in it answers `/health`
 * (at the overridden URL when one is set). The list follows supergraph reloads.
 */
export function routerReadiness(
  gateway: ApolloGateway,
  overrides: Readonly<Record<string, string>>,
  { timeoutMs = 1500 }: { timeoutMs?: number } = {},
): () => Record<string, ReadinessCheck> {
  let subgraphs: Array<{ name: string; health: string }> | undefined;
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    subgraphs = [...coreSupergraphSdl.matchAll(JOIN_GRAPH)].map(([, name = "", url = ""]) => ({
      name,
      health: new URL("/health", overrides[subgraphEnvName(name)] ?? url).toString(),
    }));
  });
  return () => {
    const checks: Record<string, ReadinessCheck> = { supergraph: async () => subgraphs !== undefined };
    for (const { name, health } of subgraphs ?? []) {
      checks[`subgraph:${name}`] = async () => (await fetch(health, { signal: AbortSignal.timeout(timeoutMs) })).ok;
    }
    return checks;
  };
}
