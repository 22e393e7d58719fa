import { SpanStatusCode, type Span } from "@opentelemetry/api";
import { TaskCancelledError, type BulkheadPolicy } from "cockatiel";
import type { GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import type { GraphQLError, GraphQLFormattedError } from "graphql";
import { ErrorCode, slowConsumer, unauthenticated } from "@commerce/common";
import { REQUEST_ID_HEADER } from "@commerce/http";
import {
  injectTraceContext,
  tracer,
  type GraphMetrics,
  type SubscriptionEndReason,
  type SubscriptionTransport,
} from "@commerce/telemetry";
import type { RouterContext } from "../context.js";
import type { PlannedSubscription } from "../executor/nativeExecutor.js";
import type { SubgraphSubscriptions, UpstreamAnswer } from "./subgraphSubscriptions.js";

/** One response of a subscription, as the transports send it. */
export interface StreamResult {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface SubscriptionStreamOptions {
  planned: PlannedSubscription;
  /** The subscription's context, as its request pipeline left it (the verified caller, its field filter). */
  context: RouterContext;
  upstream: SubgraphSubscriptions;
  transport: SubscriptionTransport;
  /** The folded operation name, for spans. */
  operationName: string;
  /** Events received and not yet sent; one more closes the stream with `SLOW_CONSUMER`. */
  maxPendingEvents: number;
  /** Each event's deadline: its entity fetches are aborted past it. */
  eventTimeoutMs: number;
  /** Shared by every subscription of the router: how many events resolve at once. */
  bulkhead: BulkheadPolicy;
  /** The router's error formatting (production masking), applied to each event's errors. */
  formatError: (error: GraphQLError | GraphQLFormattedError) => GraphQLFormattedError;
  metrics?: GraphMetrics | undefined;
  /** Called once, when the stream ends, with why. */
  onEnd?: (reason: SubscriptionEndReason) => void;
}

interface Received {
  answer: UpstreamAnswer;
  receivedAt: number;
}

/**
 * One client subscription: the planned subscription's primary fetch open on its subgraph, each of its events resolved
 * in order (the rest of the plan, through the router's executor and data sources) and queued for the transport, which
 * pulls them as an async iterator. At most `maxPendingEvents` are queued (received, resolving or resolved, not yet
 * pulled): a subscriber that falls further behind is ended with `SLOW_CONSUMER`, never buffered without bound.
 * It ends by itself when the caller's token expires (`UNAUTHENTICATED`, `reason: TOKEN_EXPIRED`) and when the subgraph
 * ends the subscription (after the events already received).
 */
export class SubscriptionStream implements AsyncIterableIterator<StreamResult> {
  private readonly received: Received[] = [];
  private readonly ready: StreamResult[] = [];
  private resolving = false;
  /** Set once the stream ends: `drain` delivers what is queued first, then `final` (when set), then done. */
  private ending: { reason: SubscriptionEndReason; drain: boolean; final?: StreamResult | undefined } | undefined;
  private done = false;
  private wake: (() => void) | undefined;
  private unsubscribe: () => void = () => undefined;
  private expiry: NodeJS.Timeout | undefined;
  private events = 0;
  /** Aborts the entity fetches of the event in hand when the stream ends without draining. */
  private readonly aborted = new AbortController();
  private markFinished: () => void = () => undefined;
  /** Settles once the transport has taken the last result (or gave the stream up). */
  readonly finished = new Promise<void>((resolve) => (this.markFinished = resolve));

  constructor(private readonly options: SubscriptionStreamOptions) {}

  /** Opens the subgraph subscription (and the token's expiry timer). */
  start(variables: Record<string, unknown> | undefined): this {
    const { planned, context, upstream, metrics, transport } = this.options;
    metrics?.trackSubscription(transport, 1);
    const expiresAt = context.viewer?.expiresAt;
    if (expiresAt !== undefined) {
      // setTimeout holds at most ~24.8 days; a token outliving that is checked again then.
      this.expiry = setTimeout(() => this.expire(), Math.min(Math.max(0, expiresAt - Date.now()), 2_147_000_000));
      this.expiry.unref();
    }
    const { primary } = planned;
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: context.requestId };
    if (context.authorization) headers.authorization = context.authorization;
    injectTraceContext({ set: (name, value) => void (headers[name] = value) });
    const forwarded: Record<string, unknown> = {};
    for (const name of primary.variableUsages ?? [])
      if (variables && Object.hasOwn(variables, name)) forwarded[name] = variables[name];
    this.unsubscribe = upstream.subscribe(
      primary.serviceName,
      { query: primary.operation, variables: forwarded, operationName: primary.operationName, headers },
      {
        next: (answer) => this.receive(answer),
        // The only error the upstream ends with: the subgraph did not come back in time (SUBGRAPH_UNAVAILABLE).
        end: (error) =>
          this.end(error ? "upstream_unavailable" : "complete", {
            drain: true,
            final: error ? { data: null, errors: [this.options.formatError(error)] } : undefined,
          }),
      },
    );
    return this;
  }

  /** Events resolved so far. */
  get delivered(): number {
    return this.events;
  }

  /**
   * Ends the stream from the router's side: what is queued is dropped, `error` (when given) is the last result.
   * Idempotent; the first reason wins.
   */
  close(reason: SubscriptionEndReason, error?: GraphQLError): void {
    this.end(reason, { drain: false, final: error ? { errors: [this.options.formatError(error)] } : undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<StreamResult>> {
    for (;;) {
      const result = this.ready.shift();
      if (result) return { value: result, done: false };
      if (this.done) {
        this.markFinished();
        return { value: undefined, done: true };
      }
      const ending = this.ending;
      if (ending && (!ending.drain || (this.received.length === 0 && !this.resolving))) {
        this.done = true;
        if (ending.final) return { value: ending.final, done: false };
        this.markFinished();
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** The transport is done with the stream (the client completed it, or disconnected). */
  async return(): Promise<IteratorResult<StreamResult>> {
    this.end("client", { drain: false });
    this.done = true;
    this.ready.length = 0;
    this.markFinished();
    return { value: undefined, done: true };
  }

  async throw(): Promise<IteratorResult<StreamResult>> {
    return this.return();
  }

  private receive(answer: UpstreamAnswer): void {
    if (this.ending) return;
    if (this.received.length + this.ready.length + (this.resolving ? 1 : 0) >= this.options.maxPendingEvents) {
      this.close(
        "slow_consumer",
        slowConsumer({ pending: this.received.length + this.ready.length, bufferedBytes: 0 }),
      );
      return;
    }
    this.received.push({ answer, receivedAt: performance.now() });
    void this.resolveQueued();
  }

  /** Resolves received events one at a time, in order. */
  private async resolveQueued(): Promise<void> {
    if (this.resolving) return;
    this.resolving = true;
    try {
      for (let next = this.received.shift(); next; next = this.received.shift()) {
        const result = await this.resolve(next);
        if (this.ending && !this.ending.drain) return;
        this.ready.push(result);
        this.notify();
      }
    } finally {
      this.resolving = false;
      this.notify();
    }
  }

  private resolve({ answer, receivedAt }: Received): Promise<StreamResult> {
    const { planned, context, operationName, eventTimeoutMs, metrics, formatError } = this.options;
    const sequence = ++this.events;
    const attributes = {
      "graphql.operation.name": operationName,
      "graphql.subscription.event": sequence,
      subgraph: planned.primary.serviceName,
    };
    // A root span per event: a subscription can live for hours, and one trace per event stays readable.
    return tracer().startActiveSpan("subscription.event", { root: true, attributes }, async (span: Span) => {
      try {
        // At most `bulkhead`'s limit of events resolve at once on this router (every subscription counted): a burst
        // waits here for its turn instead of flooding the subgraphs; the deadline starts with the resolution.
        const executed = await this.options.bulkhead.execute(() => {
          const eventContext: RouterContext = {
            ...context,
            requestId: `${context.requestId}:${sequence}`,
            signal: AbortSignal.any([AbortSignal.timeout(eventTimeoutMs), this.aborted.signal]),
          };
          return planned.resolveEvent(answer, {
            ...planned.requestContext,
            context: eventContext,
            metrics: {},
          } as GatewayGraphQLRequestContext);
        }, this.aborted.signal);
        const result: StreamResult & { errors?: GraphQLFormattedError[] } = {
          data: (executed.data ?? null) as Record<string, unknown> | null,
        };
        if (executed.errors && executed.errors.length > 0)
          result.errors = executed.errors.map((error) => formatError(error));
        context.fieldFilter?.apply(result);
        const outcome = result.errors?.length ? (result.data ? "partial" : "error") : "success";
        if (outcome !== "success") span.setStatus({ code: SpanStatusCode.ERROR });
        metrics?.observeSubscriptionEvent(outcome, (performance.now() - receivedAt) / 1000);
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        // Ended while the event waited for its turn: nobody will read the result.
        if (error instanceof TaskCancelledError) return { data: null };
        context.logger.error({ err: error }, "subscription event failed");
        metrics?.observeSubscriptionEvent("error", (performance.now() - receivedAt) / 1000);
        return {
          data: null,
          errors: [
            formatError({ message: "Internal server error.", extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }),
          ],
        };
      } finally {
        span.end();
      }
    });
  }

  private expire(): void {
    this.close(
      "token_expired",
      unauthenticated("Your access token has expired; subscribe again with a fresh one.", "TOKEN_EXPIRED"),
    );
  }

  private end(reason: SubscriptionEndReason, how: { drain: boolean; final?: StreamResult | undefined }): void {
    if (this.ending) return;
    this.ending = { reason, ...how };
    clearTimeout(this.expiry);
    this.unsubscribe();
    if (!how.drain) {
      this.received.length = 0;
      this.ready.length = 0;
      this.aborted.abort();
    }
    this.options.metrics?.trackSubscription(this.options.transport, -1, reason);
    this.options.onEnd?.(reason);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
