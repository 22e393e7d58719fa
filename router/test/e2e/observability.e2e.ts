import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { DEMO_USERS } from "@commerce/db";
import { defined, postGraphQL } from "@commerce/testing";
import { loadTelemetryConfig, startTracing, type Tracing } from "@commerce/telemetry";
import { logIn, startGraph, type Graph } from "./graph.js";

// One tracer provider for this test process (router and subgraphs run in it), with the
// default sampler of the config (parent-based ratio 1), exporting to memory.
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let graph: Graph;

beforeAll(async () => {
  tracing = startTracing(loadTelemetryConfig("e2e", {}), { spanProcessors: [new SimpleSpanProcessor(exporter)] });
  graph = await startGraph();
});
afterAll(async () => {
  await graph?.stop();
  await tracing?.shutdown();
});

async function customerToken(): Promise<string> {
  return (await logIn(graph.url, DEMO_USERS.customer)).token;
}

/** The spans of one trace, indexed for walking up the parent links. */
function traceOf(traceId: string) {
  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const parentOf = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? "");
  return {
    spans,
    find(predicate: (span: ReadableSpan) => boolean, what: string): ReadableSpan {
      return defined(spans.find(predicate), what);
    },
    /** True when `ancestor` is on the parent chain of `span`. */
    isAncestor(ancestor: ReadableSpan, span: ReadableSpan): boolean {
      for (let p = parentOf(span); p; p = parentOf(p)) if (p === ancestor) return true;
      return false;
    },
  };
}

const attr = (span: ReadableSpan, name: string) => span.attributes[name];

describe("one trace from the client to the SQL statement", () => {
  it("nests router request → subgraph fetch → subgraph request → resolver → DataLoader batch → SQL and Redis", async () => {
    const token = await customerToken();
    await graph.redis.flushall(); // cold entity cache: the product batch must reach Postgres
    exporter.reset();

    const traceId = randomBytes(16).toString("hex");
    const clientSpanId = randomBytes(8).toString("hex");
    const query = `query FavoriteTree { me { favorites { name category { name } } } }`;
    const response = await postGraphQL(
      graph.url,
      query,
      {},
      { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${clientSpanId}-01` },
    );
    expect(response.errors).toBeUndefined();

    // Server spans end on the response's `finish` event, which may come a tick after the client has read it.
    const isServer = (service: string) => (s: ReadableSpan) =>
      s.kind === SpanKind.SERVER && attr(s, "commerce.service") === service;
    await vi.waitFor(() => expect(traceOf(traceId).spans.filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(3));
    const t = traceOf(traceId);

    const request = t.find(isServer("router"), "router request span");
    expect(request.name).toBe("query FavoriteTree");
    expect(request.parentSpanContext?.spanId).toBe(clientSpanId);
    expect(request.attributes).toMatchObject({
      "graphql.operation.name": "FavoriteTree",
      "graphql.operation.type": "query",
      "graphql.document.hash": createHash("sha256").update(query).digest("hex"),
      "graphql.outcome": "success",
      "http.response.status_code": 200,
    });
    for (const name of ["graphql.parse", "graphql.validate"])
      expect(t.find((s) => s.name === name, name).parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(
      t.isAncestor(
        request,
        t.find((s) => s.name === "gateway.plan", "plan span"),
      ),
    ).toBe(true);

    const fetch = t.find(
      (s) => s.name === "gateway.fetch" && attr(s, "graphql.subgraph.name") === "catalog",
      "catalog fetch span",
    );
    expect(fetch.attributes).toMatchObject({ "graphql.fetch.kind": "entities", "http.response.status_code": 200 });
    expect(t.isAncestor(request, fetch)).toBe(true);

    // The subgraph's request span is the direct child of the router's fetch span. Its parent can
    // only have come from the traceparent header: the middleware extracts onto the root context.
    const subgraphRequest = t.find(isServer("catalog"), "catalog request span");
    expect(subgraphRequest.parentSpanContext?.spanId).toBe(fetch.spanContext().spanId);
    expect(attr(subgraphRequest, "commerce.trace_propagated")).toBe(true);
    const accountsRequest = t.find(isServer("accounts"), "accounts request span");
    const accountsFetch = t.find(
      (s) => s.name === "gateway.fetch" && attr(s, "graphql.subgraph.name") === "accounts",
      "accounts fetch span",
    );
    expect(accountsRequest.parentSpanContext?.spanId).toBe(accountsFetch.spanContext().spanId);
    expect(attr(accountsFetch, "graphql.fetch.kind")).toBe("root");

    const resolver = t.find(
      (s) => s.name === "resolve Query._entities" && t.isAncestor(subgraphRequest, s),
      "_entities resolver span",
    );
    expect(resolver.parentSpanContext?.spanId).toBe(subgraphRequest.spanContext().spanId);
    const batch = t.find((s) => s.name === "dataloader.batch productById", "productById batch span");
    expect(t.isAncestor(resolver, batch)).toBe(true);
    expect(batch.attributes).toMatchObject({ "dataloader.name": "productById", "dataloader.cache_hits": 0 });
    expect(attr(batch, "dataloader.batch_size")).toBeGreaterThan(0);

    const sql = t.find(
      (s) => s.name === "prisma:client:db_query" && t.isAncestor(batch, s),
      "SQL statement span under the batch",
    );
    expect(String(attr(sql, "db.query.text"))).toContain(`"catalog"."products"`);
    const redis = t.find((s) => s.name === "mget" && t.isAncestor(batch, s), "Redis MGET span under the batch");
    expect(attr(redis, "db.system.name")).toBe("redis");

    // Every span above is in the client's trace.
    for (const span of [request, fetch, subgraphRequest, resolver, batch, sql, redis])
      expect(span.spanContext().traceId).toBe(traceId);
  });
});

/** `name{labels} value` lines of a Prometheus exposition, summed over the series matching `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => series[k] === v)) total += Number(match[3]);
  }
  return total;
}

async function scrape(graphqlUrl: string): Promise<string> {
  const response = await fetch(new URL("/metrics", graphqlUrl));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

describe("/metrics", () => {
  it("counts operations by outcome, rejections by reason, subgraph fetches, plan-cache hits and DataLoader batches", async () => {
    const [routerBefore, catalogBefore] = await Promise.all([
      scrape(graph.url),
      scrape(defined(graph.subgraphUrls.catalog)),
    ]);
    const probe = `query MetricsProbe { products(first: 2) { edges { node { name category { name } } } } }`;
    for (let i = 0; i < 3; i += 1) expect((await postGraphQL(graph.url, probe)).errors).toBeUndefined();
    // Deeper than the router's maximum depth (12): refused before any subgraph is called.
    let deep = "name";
    for (let i = 0; i < 7; i += 1) deep = `category { products(first: 1) { edges { node { ${deep} } } } }`;
    const rejected = await postGraphQL(
      graph.url,
      `query DeepProbe { products(first: 1) { edges { node { ${deep} } } } }`,
    );
    expect(rejected.status).toBe(400);

    const [router, catalog] = await Promise.all([scrape(graph.url), scrape(defined(graph.subgraphUrls.catalog))]);
    const delta = (after: string, before: string, name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    const probeLabels = { service: "router", operation: "MetricsProbe", type: "query", outcome: "success" };
    expect(delta(router, routerBefore, "graphql_operations_total", probeLabels)).toBe(3);
    expect(delta(router, routerBefore, "graphql_operation_duration_seconds_count", probeLabels)).toBe(3);
    expect(delta(router, routerBefore, "graphql_operations_total", { outcome: "rejected" })).toBe(1);
    expect(delta(router, routerBefore, "graphql_rejections_total", { reason: "depth" })).toBe(1);
    expect(delta(router, routerBefore, "graphql_rejections_total")).toBe(1);
    expect(
      delta(router, routerBefore, "graphql_subgraph_fetch_duration_seconds_count", {
        subgraph: "catalog",
        kind: "root",
        outcome: "success",
      }),
    ).toBe(3);
    expect(delta(router, routerBefore, "graphql_subgraph_fetch_errors_total")).toBe(0);
    expect(delta(router, routerBefore, "graphql_cache_lookups_total", { cache: "query_plan", result: "miss" })).toBe(1);
    expect(delta(router, routerBefore, "graphql_cache_lookups_total", { cache: "query_plan", result: "hit" })).toBe(2);
    expect(sample(router, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(router).toContain("# TYPE nodejs_eventloop_lag_seconds gauge");

    expect(
      delta(catalog, catalogBefore, "graphql_operations_total", {
        service: "catalog",
        type: "query",
        outcome: "success",
      }),
    ).toBe(3);
    expect(delta(catalog, catalogBefore, "dataloader_batch_size_count", { loader: "categoryById" })).toBe(3);
    const keys = delta(catalog, catalogBefore, "dataloader_batch_size_sum", { loader: "categoryById" });
    expect(keys).toBeGreaterThanOrEqual(3);
    expect(delta(catalog, catalogBefore, "graphql_cache_lookups_total", { cache: "entity" })).toBe(keys);
    expect(sample(catalog, "db_pool_connections", { state: "total" })).toBeGreaterThanOrEqual(1);
  });
});

describe("/metrics of orders, loyalty and reviews", () => {
  it("counts each subgraph's own operations and DataLoader batches under its service label", async () => {
    const urls = {
      orders: defined(graph.subgraphUrls.orders),
      loyalty: defined(graph.subgraphUrls.loyalty),
      reviews: defined(graph.subgraphUrls.reviews),
    };
    const before = await Promise.all(Object.values(urls).map(scrape));
    const token = await customerToken();
    const probe = `query SubgraphProbe { me { loyalty { balance } orders(first: 1) { edges { node { id } } } } products(first: 2) { edges { node { rating { count } } } } }`;
    const response = await postGraphQL(graph.url, probe, {}, { authorization: `Bearer ${token}` });
    expect(response.errors).toBeUndefined();
    const after = await Promise.all(Object.values(urls).map(scrape));
    const loaders = { orders: "ordersByCustomerId", loyalty: "accountByUserId", reviews: "ratingByProductId" };
    Object.keys(urls).forEach((service, i) => {
      const [now, then] = [defined(after[i]), defined(before[i])];
      const delta = (name: string, labels: Record<string, string>) =>
        sample(now, name, { service, ...labels }) - sample(then, name, { service, ...labels });
      expect(delta("graphql_operations_total", { type: "query", outcome: "success" }), service).toBe(1);
      expect(delta("dataloader_batch_size_count", { loader: loaders[service as keyof typeof loaders] }), service).toBe(
        1,
      );
      expect(sample(now, "db_pool_connections", { service, state: "total" }), service).toBeGreaterThanOrEqual(1);
    });
  });
});

describe("/health and /ready", () => {
  it("reports the router ready once its supergraph is loaded, with every subgraph of it healthy while no breaker opened", async () => {
    const router = await fetch(new URL("/ready", graph.url));
    const report = (await router.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(router.status).toBe(200);
    expect(report.status).toBe("ready");
    const subgraphs = ["accounts", "catalog", "orders", "loyalty", "reviews"].map((name) => `subgraph:${name}`);
    expect(Object.keys(report.checks).sort()).toEqual(["supergraph", ...subgraphs].sort());
    for (const check of Object.values(report.checks))
      expect(check).toEqual({ ok: true, ms: expect.any(Number) as number });
  });

  it("reports each subgraph ready when Postgres and Redis answer", async () => {
    for (const url of Object.values(graph.subgraphUrls)) {
      const ready = await fetch(new URL("/ready", url));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: "ready",
        checks: { postgres: { ok: true }, redis: { ok: true } },
      });
      expect((await fetch(new URL("/health", url))).status).toBe(200);
    }
  });
});
