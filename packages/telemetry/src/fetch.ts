import { SpanStatusCode } from "@opentelemetry/api";
import { activeSpan } from "./http.js";
import type { FetchKind, GraphMetrics, SubgraphErrorReason } from "./metrics.js";

export interface SubgraphFetch {
  /** The subgraph answered (any HTTP status the data source accepted). */
  finish(result: { status?: number; errorCount?: number }): void;
  /**
   * The fetch failed: a non-2xx answer (the error carries `status` or `extensions.response.status`), no answer, or a
   * failure classified with a `SUBGRAPH_*` `code` (as `@commerce/resilience` does).
   */
  fail(error: unknown): void;
}

/** Root fields, or `_entities` (the gateway passes representations as a variable). */
export function fetchKindOf(variables: Readonly<Record<string, unknown>> | undefined): FetchKind {
  return variables !== undefined && "representations" in variables ? "entities" : "root";
}

function statusOf(error: unknown): number | undefined {
  const failure = error as { status?: unknown; extensions?: { response?: { status?: unknown } } } | null;
  const status = failure?.status ?? failure?.extensions?.response?.status;
  return typeof status === "number" ? status : undefined;
}

const REASON_BY_CODE: Readonly<Record<string, SubgraphErrorReason>> = {
  SUBGRAPH_TIMEOUT: "timeout",
  SUBGRAPH_CIRCUIT_OPEN: "circuit_open",
  SUBGRAPH_HTTP_ERROR: "http",
  SUBGRAPH_UNAVAILABLE: "network",
};

function reasonOf(error: unknown, status: number | undefined): SubgraphErrorReason {
  const code = (error as { code?: unknown } | null)?.code;
  const byCode = typeof code === "string" ? REASON_BY_CODE[code] : undefined;
  return byCode ?? (status === undefined ? "network" : "http");
}

/**
 * Observes one router → subgraph fetch: annotates the gateway's active `gateway.fetch` span with
 * the subgraph name, the fetch kind and the HTTP status, and records latency and errors.
 */
export function startSubgraphFetch(
  metrics: GraphMetrics | undefined,
  subgraph: string,
  variables?: Readonly<Record<string, unknown>>,
): SubgraphFetch {
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
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === "string" && code in REASON_BY_CODE) span?.setAttribute("error.type", code);
      metrics?.recordSubgraphError(subgraph, reasonOf(error, status));
      metrics?.observeSubgraphFetch({ subgraph, kind, outcome: "error" }, seconds());
    },
  };
}
