import { describe, expect, it } from "vitest";
import { createMetrics } from "../src/metrics.js";

/** The value of one series in an exposition text (labels in any order). */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (
      Object.entries(labels).every(([k, v]) => series[k] === v) &&
      Object.keys(series).length === Object.keys(labels).length
    )
      return Number(match[3]);
  }
  return undefined;
}

describe("createMetrics", () => {
  it("exports operations, fetches, rejections, cost, cache lookups, batches, pool and Redis state with a service label", async () => {
    const metrics = createMetrics({ service: "router", processMetrics: false, maxOperationNames: 1 });
    const op = { operation: metrics.operationName("Favorites"), type: "query", outcome: "success" as const };
    metrics.observeOperation(op, 0.02);
    metrics.observeOperation(op, 0.2);
    metrics.observeOperation({ operation: metrics.operationName("Second"), type: "query", outcome: "rejected" }, 0.001);
    metrics.observeSubgraphFetch({ subgraph: "catalog", kind: "entities", outcome: "success" }, 0.01);
    metrics.recordSubgraphError("catalog", "http");
    metrics.recordRejection("depth");
    metrics.observeCost("estimated", 42);
    metrics.observeCost("actual", -1); // ignored: not a cost
    metrics.recordCacheLookup("query_plan", true, 3);
    metrics.recordCacheLookup("query_plan", false);
    metrics.observeBatch("productById", 7);
    metrics.trackPool(() => ({ total: 4, idle: 3, waiting: 0 }));
    let ready = true;
    metrics.trackRedis(() => ready);

    const { contentType, body } = await metrics.scrape();
    expect(contentType).toContain("text/plain");
    const s = { service: "router" };
    expect(
      value(body, "graphql_operations_total", { ...s, operation: "Favorites", type: "query", outcome: "success" }),
    ).toBe(2);
    expect(
      value(body, "graphql_operations_total", { ...s, operation: "other", type: "query", outcome: "rejected" }),
    ).toBe(1);
    expect(
      value(body, "graphql_operation_duration_seconds_bucket", {
        ...s,
        operation: "Favorites",
        type: "query",
        outcome: "success",
        le: "0.025",
      }),
    ).toBe(1);
    expect(
      value(body, "graphql_operation_duration_seconds_count", {
        ...s,
        operation: "Favorites",
        type: "query",
        outcome: "success",
      }),
    ).toBe(2);
    expect(
      value(body, "graphql_subgraph_fetch_duration_seconds_count", {
        ...s,
        subgraph: "catalog",
        kind: "entities",
        outcome: "success",
      }),
    ).toBe(1);
    expect(value(body, "graphql_subgraph_fetch_errors_total", { ...s, subgraph: "catalog", reason: "http" })).toBe(1);
    expect(value(body, "graphql_rejections_total", { ...s, reason: "depth" })).toBe(1);
    expect(value(body, "graphql_rejections_total", { ...s, reason: "cost" })).toBe(0);
    expect(value(body, "graphql_operation_cost_sum", { ...s, kind: "estimated" })).toBe(42);
    expect(value(body, "graphql_operation_cost_count", { ...s, kind: "actual" })).toBeUndefined();
    expect(value(body, "graphql_cache_lookups_total", { ...s, cache: "query_plan", result: "hit" })).toBe(3);
    expect(value(body, "graphql_cache_lookups_total", { ...s, cache: "query_plan", result: "miss" })).toBe(1);
    expect(value(body, "dataloader_batch_size_sum", { ...s, loader: "productById" })).toBe(7);
    expect(value(body, "db_pool_connections", { ...s, state: "idle" })).toBe(3);
    expect(value(body, "redis_connected", s)).toBe(1);
    ready = false;
    expect(value((await metrics.scrape()).body, "redis_connected", s)).toBe(0);
  });

  it("keeps each service's series in its own registry, with process metrics when asked", async () => {
    const a = createMetrics({ service: "a" });
    const b = createMetrics({ service: "b" });
    a.recordRejection("auth");
    const [textA, textB] = await Promise.all([a.scrape(), b.scrape()]);
    expect(value(textA.body, "graphql_rejections_total", { service: "a", reason: "auth" })).toBe(1);
    expect(value(textB.body, "graphql_rejections_total", { service: "b", reason: "auth" })).toBe(0);
    expect(textA.body).toContain("process_cpu_user_seconds_total");
    expect(textB.body).toContain("nodejs_heap_size_used_bytes");
  });
});
