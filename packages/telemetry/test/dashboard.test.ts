import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../src/metrics.js";

// The Grafana dashboard docker-compose provisions (deploy/grafana): every series it queries must be one these
// services export, so renaming a metric without the dashboard fails here rather than leaving an empty panel.
const dashboardFile = new URL("../../../deploy/grafana/dashboards/commerce-supergraph.json", import.meta.url);

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

/** Metric names in a PromQL expression: identifiers outside label matchers, ranges, `by (...)` and function calls. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without)\s*\([^)]*\)/g, " ")
    .replace(/"[^"]*"/g, " ");
  return [...bare.matchAll(/\b([a-z_][a-z0-9_]*)\b(?!\s*\()/g)]
    .map((m) => m[1] as string)
    .filter((name) => !/^\d/.test(name));
}

describe("the Grafana dashboard", () => {
  const dashboard = JSON.parse(readFileSync(dashboardFile, "utf8")) as { panels: Panel[] };
  const queries = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
  );

  it("queries only series the services export", async () => {
    const metrics = createMetrics({ service: "dashboard-check" });
    metrics.trackRedis(() => true);
    const exported = new Set<string>();
    for (const metric of await metrics.registry.getMetricsAsJSON()) {
      exported.add(metric.name);
      // prom-client types `type` as a numeric enum; at run time it is the exposition format's type name.
      if (String(metric.type) === "histogram")
        for (const suffix of ["_bucket", "_sum", "_count"]) exported.add(`${metric.name}${suffix}`);
    }
    const unknown = queries.flatMap(({ panel, expr }) =>
      metricNames(expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(queries.length).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });

  it("finds the metric names in a query", () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, subgraph) (rate(graphql_subgraph_fetch_duration_seconds_bucket{service="router"}[$__rate_interval])))',
      ),
    ).toEqual(["graphql_subgraph_fetch_duration_seconds_bucket"]);
    expect(metricNames('sum by (service) (db_pool_connections{state="total"}) - min(redis_connected)')).toEqual([
      "db_pool_connections",
      "redis_connected",
    ]);
  });
});
