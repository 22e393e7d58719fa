import type { ApolloServerPlugin, BaseContext, GraphQLRequestContext } from "@apollo/server";
import { SpanStatusCode, context } from "@opentelemetry/api";
import type { Logger } from "@commerce/common";
import { activeSpan } from "./http.js";
import type { GraphMetrics } from "./metrics.js";
import { classifyOutcome, errorCodesOf, rejectionReasonOf, subgraphErrorsOf } from "./outcome.js";
import { tracer } from "./tracing.js";

export interface OperationTelemetryPluginOptions {
  /** Counts and times every operation (and its rejections); none when omitted. */
  metrics?: GraphMetrics;
  /**
   * Writes one line per operation, with `contextValue.requestId`. Without it (or with no `requestId` in the
   * context), `contextValue.logger` writes it. @default none
   */
  logger?: Logger;
  /** Also counts APQ lookups (the router's persisted-query cache). @default false */
  countPersistedQueries?: boolean;
}

const CLIENT_NAME = "apollographql-client-name";
const CLIENT_VERSION = "apollographql-client-version";

/**
 * The per-operation observability of one GraphQL service, router or subgraph:
 * - names the HTTP request span after the operation (`query Favorites`) and annotates it with the
 *   operation name and type, the document hash, the client name and version, the request id;
 * - adds `graphql.parse` and `graphql.validate` child spans;
 * - counts and times the operation by folded name, type and outcome, and counts rejections by reason;
 * - logs one line with the outcome, the duration and the error codes (never variables or headers), and the
 *   subgraphs that failed with their code and cause (`subgraphErrors: [{ subgraph, code, reason }]`);
 * - in a subgraph, names who called (`caller`: `router`, or the service calling under its own identity) on the line
 *   and the span (`commerce.caller`), from `contextValue.caller`.
 */
export function operationTelemetryPlugin<TContext extends BaseContext>({
  metrics,
  logger,
  countPersistedQueries = false,
}: OperationTelemetryPluginOptions = {}): ApolloServerPlugin<TContext> {
  // The operation line holds names, codes and timings only (never variables, headers or tokens), so it skips the
  // logger's redaction, which would walk every redacted path on each line of each request.
  const lineLogger = logger?.child({}, { redact: { paths: [] } });
  return {
    async contextCreationDidFail({ error }) {
      // No request hooks run after a failed context (e.g. a bad token): count it here.
      const reason = rejectionReasonOf(error as { extensions?: Record<string, unknown> });
      if (reason) metrics?.recordRejection(reason);
      metrics?.observeOperation(
        { operation: metrics.operationName(undefined), type: "unknown", outcome: reason ? "rejected" : "error" },
        0,
      );
    },
    async requestDidStart({ request, contextValue }) {
      const started = performance.now();
      const span = activeSpan();
      const headers = request.http?.headers;
      const client = { name: headers?.get(CLIENT_NAME), version: headers?.get(CLIENT_VERSION) };
      if (client.name) span?.setAttribute("graphql.client.name", client.name);
      if (client.version) span?.setAttribute("graphql.client.version", client.version);
      const apqLookup = countPersistedQueries && request.extensions?.persistedQuery !== undefined && !request.query;
      let operationName: string | undefined = request.operationName ?? undefined;
      let type = "unknown";
      const ctx = contextValue as { requestId?: unknown; logger?: Logger; caller?: CallerLike | null };
      const requestId = typeof ctx.requestId === "string" ? ctx.requestId : undefined;
      const caller = callerLabel(ctx.caller);
      if (caller) span?.setAttribute("commerce.caller", caller);
      const log = requestId !== undefined && lineLogger ? lineLogger : (ctx.logger ?? logger);
      return {
        async parsingDidStart() {
          const child = tracer().startSpan("graphql.parse", {}, context.active());
          return async (error) => endChild(child, error ? [error] : []);
        },
        async validationDidStart() {
          const child = tracer().startSpan("graphql.validate", {}, context.active());
          return async (errors) => endChild(child, errors ?? []);
        },
        async didResolveOperation({ operation, queryHash }) {
          operationName = operation?.name?.value ?? operationName;
          type = operation?.operation ?? type;
          span?.updateName(operationName ? `${type} ${operationName}` : type);
          span?.setAttributes({
            "graphql.operation.type": type,
            ...(operationName ? { "graphql.operation.name": operationName } : {}),
            "graphql.document.hash": queryHash,
          });
        },
        async willSendResponse(requestContext) {
          const seconds = (performance.now() - started) / 1000;
          const { errors, hasData } = resultOf(requestContext);
          const { outcome, rejection } = classifyOutcome(errors, hasData);
          if (apqLookup)
            metrics?.recordCacheLookup("apq", !errors?.some((e) => e.extensions?.code === "PERSISTED_QUERY_NOT_FOUND"));
          const label = metrics?.operationName(operationName) ?? operationName ?? "anonymous";
          metrics?.observeOperation({ operation: label, type, outcome }, seconds);
          if (rejection) metrics?.recordRejection(rejection);
          if (typeof ctx.requestId === "string") span?.setAttribute("request.id", ctx.requestId);
          span?.setAttribute("graphql.outcome", outcome);
          if (outcome === "error") span?.setStatus({ code: SpanStatusCode.ERROR });
          const subgraphErrors = errors?.length ? subgraphErrorsOf(errors) : [];
          const line = {
            ...(log === lineLogger ? { requestId } : {}),
            operation: operationName ?? null,
            type,
            outcome,
            durationMs: Math.round(seconds * 10_000) / 10,
            ...(rejection ? { rejection } : {}),
            ...(errors?.length ? { errors: errorCodesOf(errors) } : {}),
            ...(subgraphErrors.length ? { subgraphErrors } : {}),
            ...(client.name ? { client: client.name } : {}),
            ...(caller ? { caller } : {}),
          };
          if (outcome === "error") log?.warn(line, "graphql operation");
          else log?.info(line, "graphql operation");
        },
      };
    },
  };
}

/** A subgraph's verified caller (`@commerce/http`'s `Caller`), as far as this package needs to know it. */
interface CallerLike {
  kind: string;
  service?: string;
}

function callerLabel(caller: CallerLike | null | undefined): string | undefined {
  if (!caller) return undefined;
  return caller.kind === "service" ? caller.service : caller.kind;
}

function endChild(span: ReturnType<ReturnType<typeof tracer>["startSpan"]>, errors: readonly unknown[]): void {
  if (errors.length > 0)
    span.setStatus({ code: SpanStatusCode.ERROR, message: String((errors[0] as Error)?.message ?? errors[0]) });
  span.end();
}

type ResultErrors = ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined;

function resultOf(requestContext: GraphQLRequestContext<BaseContext>): { errors: ResultErrors; hasData: boolean } {
  const body = requestContext.response.body;
  if (!body) return { errors: requestContext.errors as ResultErrors, hasData: false };
  const result = body.kind === "single" ? body.singleResult : body.initialResult;
  return { errors: result.errors as ResultErrors, hasData: result.data != null };
}
