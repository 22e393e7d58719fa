import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import DataLoader from "dataloader";
import { buildSchema, type GraphQLObjectType } from "graphql";
import { ApolloServer } from "@apollo/server";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { createLogger, type Logger } from "@commerce/common";
import { serveGraphQL, type Served } from "@commerce/http";
import { batchInstrumentation } from "../src/batch.js";
import { loadTelemetryConfig } from "../src/config.js";
import { tracingMiddleware } from "../src/http.js";
import { createMetrics } from "../src/metrics.js";
import { operationTelemetryPlugin } from "../src/operationPlugin.js";
import { instrumentResolvers } from "../src/resolvers.js";
import { startTracing, type Tracing } from "../src/tracing.js";

const exporter = new InMemorySpanExporter();
const lines: Array<Record<string, unknown>> = [];
let tracing: Tracing;
let served: Served;

const typeDefs = `type Query { items(ids: [ID!]!): [Item!]! plain: String }  type Item { id: ID! name: String! label: String! }`;

function schemaWithResolvers() {
  const schema = buildSchema(typeDefs);
  const query = schema.getQueryType() as GraphQLObjectType;
  const fields = query.getFields();
  (fields.items as { resolve?: unknown }).resolve = (
    _: unknown,
    { ids }: { ids: string[] },
    ctx: { loader: DataLoader<string, { id: string; name: string }> },
  ) => Promise.all(ids.map((id) => ctx.loader.load(id)));
  // A resolver of its own that answers at once.
  (schema.getType("Item") as GraphQLObjectType).getFields().label!.resolve = (item: { name: string }) =>
    item.name.toUpperCase();
  return schema;
}

interface Ctx {
  loader: DataLoader<string, { id: string; name: string }>;
  logger: Logger;
  requestId: string;
}

beforeAll(async () => {
  tracing = startTracing(loadTelemetryConfig("unit", {}), { spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const logger = createLogger("unit", "info", {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const metrics = createMetrics({ service: "unit", processMetrics: false });
  const batches = batchInstrumentation(metrics);
  const batch = batches.wrap("itemById", async (ids: readonly string[]) => {
    batches.onBatch({ loader: "itemById", size: ids.length, cacheHits: 1 });
    return ids.map((id) => ({ id, name: `item ${id}` }));
  });
  served = await serveGraphQL<Ctx>({
    apollo: () =>
      new ApolloServer<Ctx>({
        schema: instrumentResolvers(schemaWithResolvers(), "own"),
        plugins: [operationTelemetryPlugin<Ctx>({ metrics })],
      }),
    context: async (req) => ({
      loader: new DataLoader(batch),
      logger: logger.child({ requestId: String(req.headers["x-request-id"]) }),
      requestId: String(req.headers["x-request-id"]),
    }),
    host: "127.0.0.1",
    port: 0,
    middleware: [tracingMiddleware({ service: "unit" })],
    metrics: () => metrics.scrape(),
  });
});
afterAll(async () => {
  await served?.stop();
  await tracing?.shutdown();
});

async function post(query: string, headers: Record<string, string>) {
  const response = await fetch(served.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: unknown; errors?: unknown[] };
}

const ids = () => ({ traceId: randomBytes(16).toString("hex"), spanId: randomBytes(8).toString("hex") });

describe("tracing one request in process", () => {
  it("continues the caller's trace and nests parse, validate, resolver and DataLoader batch spans", async () => {
    const { traceId, spanId } = ids();
    const result = await post(`query Items { items(ids: ["1", "2"]) { id name label } plain }`, {
      traceparent: `00-${traceId}-${spanId}-01`,
      "x-request-id": "req-1",
      authorization: "Bearer secret-token",
      "apollographql-client-name": "web",
      "apollographql-client-version": "1.2.3",
    });
    expect(result.errors).toBeUndefined();
    await vi.waitFor(() =>
      expect(
        exporter.getFinishedSpans().some((s) => s.kind === SpanKind.SERVER && s.spanContext().traceId === traceId),
      ).toBe(true),
    );
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const named = (name: string) => spans.find((s) => s.name === name) as ReadableSpan;
    const request = named("query Items");
    expect(request.parentSpanContext?.spanId).toBe(spanId);
    expect(request.attributes).toMatchObject({
      "graphql.operation.name": "Items",
      "graphql.client.name": "web",
      "graphql.client.version": "1.2.3",
      "request.id": "req-1",
      "commerce.trace_propagated": true,
    });
    for (const child of ["graphql.parse", "graphql.validate", "resolve Query.items"]) {
      expect(named(child).parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    }
    // `own`: fields without a resolver of their own (Query.plain, Item.name) get no span, nor one that answers at once (Item.label).
    expect(result.data).toMatchObject({ items: [{ label: "ITEM 1" }, { label: "ITEM 2" }] });
    expect(spans.map((s) => s.name).filter((n) => n.startsWith("resolve "))).toEqual(["resolve Query.items"]);
    const batch = named("dataloader.batch itemById");
    expect(batch.parentSpanContext?.spanId).toBe(named("resolve Query.items").spanContext().spanId);
    expect(batch.attributes).toMatchObject({ "dataloader.batch_size": 2, "dataloader.cache_hits": 1 });

    const line = lines.find((l) => l.msg === "graphql operation" && l.trace_id === traceId);
    expect(line).toMatchObject({
      requestId: "req-1",
      operation: "Items",
      type: "query",
      outcome: "success",
      span_id: request.spanContext().spanId,
    });
    expect(typeof line?.durationMs).toBe("number");
    expect(JSON.stringify(lines)).not.toContain("secret-token");
  });

  it("records nothing for an unsampled trace, but still logs its trace id", async () => {
    const { traceId, spanId } = ids();
    await post(`query Unsampled { items(ids: ["3"]) { id } }`, {
      traceparent: `00-${traceId}-${spanId}-00`,
      "x-request-id": "req-2",
    });
    const line = lines.find((l) => l.msg === "graphql operation" && l.requestId === "req-2");
    expect(line?.trace_id).toBe(traceId);
    expect(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId)).toEqual([]);
  });

  it("starts a new trace when the caller sent none, and counts the operation", async () => {
    await post(`query Fresh { plain }`, { "x-request-id": "req-3" });
    const line = lines.find((l) => l.requestId === "req-3");
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const metrics = await (await fetch(new URL("/metrics", served.url))).text();
    expect(metrics).toMatch(
      /^graphql_operations_total\{(?=[^}]*operation="Fresh")(?=[^}]*outcome="success")[^}]*\} 1$/m,
    );
    expect(metrics).toMatch(/^dataloader_batch_size_count\{(?=[^}]*loader="itemById")[^}]*\} 2$/m);
    expect(metrics).not.toContain("redis_connected");
  });
});

describe("instrumentResolvers modes", () => {
  const wrapped = (mode: "all" | "own" | "none") => {
    const schema = schemaWithResolvers();
    const before = new Map(
      Object.values((schema.getType("Item") as GraphQLObjectType).getFields()).map((f) => [f.name, f.resolve]),
    );
    const queryItems = (schema.getQueryType() as GraphQLObjectType).getFields().items?.resolve;
    instrumentResolvers(schema, mode);
    const item = (schema.getType("Item") as GraphQLObjectType).getFields();
    return {
      itemName: item.name?.resolve !== before.get("name"),
      queryItems: (schema.getQueryType() as GraphQLObjectType).getFields().items?.resolve !== queryItems,
    };
  };
  it("wraps every field, only own resolvers, or nothing", () => {
    expect(wrapped("all")).toEqual({ itemName: true, queryItems: true });
    expect(wrapped("own")).toEqual({ itemName: false, queryItems: true });
    expect(wrapped("none")).toEqual({ itemName: false, queryItems: false });
  });
});
