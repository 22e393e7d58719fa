import { SpanStatusCode } from "@opentelemetry/api";
import { activeSpan } from "./http.js";
import type { FetchKind, GraphMetrics } from "./metrics.js";

export interface SubgraphFetch {
  /** The subgraph answered (any HTTP status the data source accepted). */
  finish(result: { status?: number; errorCount?: number }): void;
  /** The fetch threw: a non-2xx answer (the error carries `extensions.response.status`) or no answer. */
  fail(error: unknown): void;
}

/** Root fields, or `_entities` (the gateway passes representations as a variable). */
export function fetchKindOf(variables: Readonly<Record<string, unknown>> | undefined): FetchKind {
  return variables !== undefined && "representations" in variables ? "entities" : "root";
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { extensions?: { response?: { status?: unknown } } } | null)?.extensions?.response?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * Observes one router → subgraph fetch: annotates the gateway's active `gateway.fetch` span with
 * the subgraph name, the fetch kind and the HTTP status, and records latency and errors.
 */
export function startSubgraphFetch(metrics: GraphMetrics | undefined, subgraph: string, variables?: Readonly<Record<string, unknown>>): SubgraphFetch {
  const started = performance.now();
  const kind = fetchKindOf(variables);
  const span = activeSpan();
  span?.setAttributes({ "graphql.subgraph.name": subgraph, "graphql.fetch.kind": kind });
  const seconds = () => (performance.now() - started) / 1000;
  return {
    finish({ status, errorCount = 0 }) {
      if (status !== undefined) span?.setAttribute("http.response.status_code", status);
      if (errorCount > 0) {
        span?.setAttribute("graphql.error_count", errorCount);
        metrics?.recordSubgraphError(subgraph, "graphql");
      }
      metrics?.observeSubgraphFetch({ subgraph, kind, outcome: errorCount > 0 ? "error" : "success" }, seconds());
    },
    fail(error) {
      const status = statusOf(error);
      if (status !== undefined) span?.setAttribute("http.response.status_code", status);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      metrics?.recordSubgraphError(subgraph, status === undefined ? "network" : "http");
      metrics?.observeSubgraphFetch({ subgraph, kind, outcome: "error" }, seconds());
    },
  };
}
