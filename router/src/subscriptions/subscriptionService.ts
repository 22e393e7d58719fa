import type { IncomingHttpHeaders } from "node:http";
import { bulkhead, type BulkheadPolicy } from "cockatiel";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import { limitError, type LimitMode, type LimitViolation } from "@commerce/analysis";
import { viewerFromAuthorization, type TokenVerifier, type Viewer } from "@commerce/auth";
import { badRequest, ErrorCode, shuttingDown, subscriptionLimitExceeded, type Logger } from "@commerce/common";
import { REQUEST_ID_HEADER, requestIdFrom } from "@commerce/http";
import type { GraphMetrics, SubscriptionEndReason, SubscriptionTransport } from "@commerce/telemetry";
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import type { RouterContext } from "../context.js";
import type { PlannedSubscription, SubscriptionRequestContext } from "../executor/nativeExecutor.js";
import type { CheckRequestLimitsOptions, GraphQLHttpPayload } from "../limits/requestLimits.js";
import type { SubgraphSubscriptions } from "./subgraphSubscriptions.js";
import { SubscriptionStream, type StreamResult } from "./subscriptionStream.js";

/** The subscription settings (`SUBSCRIPTIONS_*`, see the README). */
export interface SubscriptionSettings {
  /** Subscriptions open at once on one WebSocket. */
  readonly maxPerConnection: number;
  /** Subscriptions open at once for one caller on this router (`user:<id>`, or `ip:<address>` when anonymous). */
  readonly maxPerCaller: number;
  /** graphql-ws `ping` (and SSE comment) interval; a WebSocket silent for two intervals is dropped. */
  readonly heartbeatMs: number;
  /** A WebSocket with no subscription for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Events queued for one subscriber before it is closed with `SLOW_CONSUMER`. */
  readonly maxPendingEvents: number;
  /** Bytes queued on one connection (WebSocket or SSE) before it is closed as a slow consumer. */
  readonly maxBufferedBytes: number;
  /** How long the router tries to reach a subgraph again before ending its subscriptions (`SUBGRAPH_UNAVAILABLE`). */
  readonly resumeTimeoutMs: number;
  /** How long a new WebSocket may take to send `connection_init`. */
  readonly connectionInitTimeoutMs: number;
  /** Events resolved at once on this router, every subscription counted; the others wait their turn, in order. */
  readonly maxConcurrentEvents: number;
}

/** One GraphQL request that came over a stream (graphql-ws `subscribe` payload or an SSE request). */
export interface StreamRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

/** Who opened the stream, verified once when it opened. */
export interface StreamCaller {
  viewer: Viewer | null;
  /** The Authorization header value the token came in, forwarded to subgraphs as the HTTP data sources do. */
  authorization: string | undefined;
  /** Who the per-caller limit and the cost budget count: `user:<id>`, else `ip:<address>`. */
  clientId: string;
  /** Headers of the HTTP request that opened the stream (client name, request id, `x-include-cost`, …). */
  headers: IncomingHttpHeaders;
}

/** What an operation over a stream gave: a subscription's events, or one result (a refusal, or a query's answer). */
export type StreamOutcome = { stream: SubscriptionStream } | { result: StreamResult };

export interface SubscriptionServiceOptions {
  /** The router's Apollo Server: an operation runs its whole request pipeline (APQ, safelist, authorization, cost). */
  apollo: () => ApolloServer<RouterContext>;
  upstream: SubgraphSubscriptions;
  /** Verifies access tokens; without it every caller is anonymous. */
  verify?: TokenVerifier | undefined;
  /** The operation limits, as the HTTP context checks them (same cache). */
  checkLimits: (payload: GraphQLHttpPayload, options?: CheckRequestLimitsOptions) => LimitViolation[];
  /** @default "enforce" */
  limitsMode?: LimitMode;
  /** The API schema served now (for the height limit's coordinates). */
  schema: () => GraphQLSchema | undefined;
  /** The router's error formatting (production masking). */
  formatError: (formatted: GraphQLFormattedError) => GraphQLFormattedError;
  settings: SubscriptionSettings;
  /** Each event's deadline (`ROUTER_REQUEST_TIMEOUT_MS`; 0 falls back to 15 s). */
  eventTimeoutMs: number;
  logger: Logger;
  metrics?: GraphMetrics | undefined;
}

/**
 * Runs the operations that come over the router's streams (graphql-ws and SSE). Each goes through the router's own
 * request pipeline (`ApolloServer.executeOperation`): operation limits first (as the HTTP context checks them), then
 * APQ, parsing, validation, the safelist, field authorization and demand control, exactly as for a query, and the
 * gateway plans it. A subscription's plan is handed back here (`acceptSubscription`) instead of being executed, and a
 * `SubscriptionStream` opens its primary fetch on the subgraph; anything else answers once.
 */
export class SubscriptionService {
  private readonly streams = new Set<SubscriptionStream>();
  /** Bounds the entity fetches a burst of events makes (each stream resolves its own events one at a time). */
  private readonly bulkhead: BulkheadPolicy;
  private readonly perCaller = new Map<string, number>();
  private closing = false;

  constructor(readonly options: SubscriptionServiceOptions) {
    // The queue needs no bound of its own: each stream has at most one event resolving and maxPendingEvents waiting.
    this.bulkhead = bulkhead(options.settings.maxConcurrentEvents, Number.POSITIVE_INFINITY);
  }

  /** Subscriptions open now, on every transport. */
  get active(): number {
    return this.streams.size;
  }

  /** Callers with at least one subscription open (the per-caller bookkeeping, empty once all are gone). */
  get callers(): number {
    return this.perCaller.size;
  }

  /**
   * Verifies the caller of a new stream once: a missing token is anonymous, an invalid or expired one is refused
   * (throws `UNAUTHENTICATED` with `reason: TOKEN_INVALID | TOKEN_EXPIRED`).
   */
  async authenticate(
    authorization: string | undefined,
    headers: IncomingHttpHeaders,
    ip: string | undefined,
  ): Promise<StreamCaller> {
    const viewer = this.options.verify ? await viewerFromAuthorization(authorization, this.options.verify) : null;
    return {
      viewer,
      authorization: authorization?.trim() ? authorization : undefined,
      clientId: viewer ? `user:${viewer.userId}` : `ip:${ip ?? "unknown"}`,
      headers,
    };
  }

  /** Formats an error as the router answers it (no `extensions.http`, a code always, production masking). */
  format = (error: GraphQLError | GraphQLFormattedError): GraphQLFormattedError => {
    const formatted = error instanceof GraphQLError ? error.toJSON() : error;
    const { http: _http, ...extensions } = { ...formatted.extensions } as Record<string, unknown>;
    return this.options.formatError({
      ...formatted,
      extensions: { ...extensions, code: extensions.code ?? ErrorCode.INTERNAL_SERVER_ERROR },
    });
  };

  /**
   * Runs one operation for `caller`: a subscription becomes a started stream, anything else one result. `onEnd` is
   * told once when the stream ends, with why (the WebSocket transport drops a slow connection then).
   */
  async execute(
    request: StreamRequest,
    caller: StreamCaller,
    transport: SubscriptionTransport,
    onEnd?: (reason: SubscriptionEndReason) => void,
  ): Promise<StreamOutcome> {
    const refuse = (error: GraphQLError): StreamOutcome => ({ result: { errors: [this.format(error)] } });
    if (this.closing) return refuse(shuttingDown());
    const { query, variables, operationName, extensions } = request;
    if (
      (query !== undefined && typeof query !== "string") ||
      (operationName !== undefined && operationName !== null && typeof operationName !== "string")
    ) {
      return refuse(badRequest("`query` and `operationName` must be strings.", "INVALID_PARAMETERS"));
    }
    if (
      (variables !== undefined && variables !== null && !isRecord(variables)) ||
      (extensions !== undefined && extensions !== null && !isRecord(extensions))
    ) {
      return refuse(badRequest("`variables` and `extensions` must be objects.", "INVALID_PARAMETERS"));
    }
    const { settings, limitsMode = "enforce", logger } = this.options;
    const held = this.perCaller.get(caller.clientId) ?? 0;
    if (held >= settings.maxPerCaller)
      return refuse(subscriptionLimitExceeded({ scope: "caller", measured: held + 1, max: settings.maxPerCaller }));
    const violations = this.options.checkLimits({ body: { query, operationName } }, { schema: this.options.schema() });
    const [violation] = violations;
    if (violation && limitsMode === "enforce") return refuse(limitError(violation));

    const requestId = requestIdFrom(caller.headers[REQUEST_ID_HEADER]);
    const log = logger.child({ requestId });
    if (violation) log.warn({ limits: violations }, "operation limit exceeded (warn mode)");
    let planned: PlannedSubscription | undefined;
    const contextValue: RouterContext & SubscriptionRequestContext = {
      ...(caller.authorization ? { authorization: caller.authorization } : {}),
      viewer: caller.viewer,
      clientId: caller.clientId,
      requestId,
      logger: log,
      ...(violation ? { limitWarnings: violations } : {}),
      acceptSubscription: (accepted) => void (planned = accepted),
    };
    // Held while the pipeline runs, so that concurrent subscribes cannot overshoot the caller's limit.
    this.hold(caller.clientId, 1);
    let stream: SubscriptionStream | undefined;
    try {
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(caller.headers))
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      const body = { query, variables, operationName, extensions } as Record<string, unknown>;
      const response = await this.options.apollo().executeOperation(
        {
          ...(typeof query === "string" ? { query } : {}),
          ...(isRecord(variables) ? { variables } : {}),
          ...(typeof operationName === "string" ? { operationName } : {}),
          ...(isRecord(extensions) ? { extensions } : {}),
          http: { method: "POST", headers, search: "", body },
        },
        { contextValue },
      );
      const single = response.body.kind === "single" ? response.body.singleResult : undefined;
      const accepted = planned as PlannedSubscription | undefined;
      if (!accepted || (single?.errors?.length ?? 0) > 0 || this.closing) {
        return {
          result: {
            ...(single?.data !== undefined ? { data: single.data } : {}),
            ...(single?.errors ? { errors: single.errors } : {}),
          },
        };
      }
      const context = accepted.requestContext.context as RouterContext & SubscriptionRequestContext;
      delete context.acceptSubscription;
      stream = new SubscriptionStream({
        planned: accepted,
        context,
        upstream: this.options.upstream,
        transport,
        operationName:
          this.options.metrics?.operationName(accepted.requestContext.operationName) ??
          accepted.requestContext.operationName ??
          "anonymous",
        maxPendingEvents: settings.maxPendingEvents,
        eventTimeoutMs: this.options.eventTimeoutMs,
        bulkhead: this.bulkhead,
        formatError: this.format,
        metrics: this.options.metrics,
        onEnd: (reason) => {
          this.streams.delete(opened);
          this.hold(caller.clientId, -1);
          onEnd?.(reason);
        },
      });
      const opened = stream;
      this.streams.add(opened);
      return { stream: opened.start(accepted.requestContext.request.variables) };
    } finally {
      // The stream holds its own place (released when it ends); a refused operation releases it here.
      if (!stream) this.hold(caller.clientId, -1);
    }
  }

  /**
   * Ends every subscription (`SHUTTING_DOWN`, their last result) and refuses new ones; resolves once the transports
   * took those last results (at most `timeoutMs`), after closing the subgraph connections.
   */
  async close(timeoutMs = 1_000): Promise<void> {
    this.closing = true;
    const streams = [...this.streams];
    for (const stream of streams) stream.close("shutdown", shuttingDown());
    const taken = Promise.all(streams.map((stream) => stream.finished));
    await Promise.all([
      this.options.upstream.close(),
      Promise.race([taken, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]),
    ]);
  }

  private hold(clientId: string, delta: 1 | -1): void {
    const count = (this.perCaller.get(clientId) ?? 0) + delta;
    if (count > 0) this.perCaller.set(clientId, count);
    else this.perCaller.delete(clientId);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
