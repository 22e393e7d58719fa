import { setTimeout as sleep } from "node:timers/promises";
import { ExponentialBackoff, type IBackoff } from "cockatiel";
import { createClient, type Client } from "graphql-ws";
import type { GraphQLFormattedError } from "graphql";
import WebSocket from "ws";
import { ErrorCode, subgraphFailed, type Logger } from "@commerce/common";
import { ROUTER_SIGNATURE_HEADER } from "@commerce/http";

/** One answer of a subgraph's subscription: an event (`data`, maybe `errors`), or errors alone. */
export interface UpstreamAnswer {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

/** Where a subgraph subscription's answers go. */
export interface UpstreamSink {
  next(answer: UpstreamAnswer): void;
  /** The subscription ended: completed by the subgraph (no error), or failed (`error`, coded with `serviceName`). */
  end(error?: GraphQLFormattedError): void;
}

/** The root fetch of a planned subscription, and the caller's identity to forward with it. */
export interface UpstreamRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string | undefined;
  /** Forwarded as the HTTP data sources forward them: `authorization`, `x-request-id`, the trace context. */
  headers: Record<string, string>;
}

/**
 * What the router sends along each subscription, in `extensions` of graphql-ws's subscribe message (the connection
 * itself is the router's: signed in `connectionParams`, shared by every caller's subscriptions).
 */
export interface UpstreamExtensions extends Record<string, unknown> {
  headers: Record<string, string>;
  /**
   * Present when the router subscribes again after losing the connection: resume after the event whose
   * `extensions.resumeCursor` it delivered last, or, when it had none yet, from when it first subscribed (`since`,
   * milliseconds since the epoch on the router's clock).
   */
  resume?: { after: string } | { since: number };
}

/** The WebSocket URL of a subgraph served at this HTTP URL (same host, port and path). */
export function webSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

export interface SubgraphSubscriptionsOptions {
  /** A subgraph's GraphQL URL (the one the HTTP data source calls); undefined when the subgraph is unknown. */
  urlOf: (serviceName: string) => string | undefined;
  /** The router signature for now, sent in `connectionParams` (`x-router-signature`). @default unsigned */
  sign?: (() => string) | undefined;
  logger: Logger;
  /** How long a subgraph may stay unreachable before its subscriptions end with `SUBGRAPH_UNAVAILABLE`. @default 30000 */
  resumeTimeoutMs?: number;
  /** First wait before reconnecting; doubles (with jitter) up to `retryMaxDelayMs`. @default 100 */
  retryDelayMs?: number;
  /** @default 5000 */
  retryMaxDelayMs?: number;
  /** The router pings each subgraph connection this often; a connection that does not answer is replaced. @default 10000 */
  keepAliveMs?: number;
}

interface Handle {
  readonly payload: {
    query: string;
    variables: Record<string, unknown>;
    operationName?: string;
    extensions: UpstreamExtensions;
  };
  readonly sink: UpstreamSink;
  readonly subscribedAt: number;
  dispose: () => void;
}

interface Upstream {
  readonly serviceName: string;
  readonly client: Client;
  readonly handles: Set<Handle>;
  /** When the connection was lost (while subscriptions were open); cleared once it is back. */
  lostTimer: NodeJS.Timeout | undefined;
}

/**
 * The router's subscriptions to its subgraphs, over graphql-ws: one WebSocket per subgraph (opened on the first
 * subscription, closed a moment after the last), every caller's subscription multiplexed on it with the caller's
 * identity in its `extensions`. When the connection drops (a subgraph restart, a network failure), the subscriptions
 * stay open on the router's side: it reconnects with jittered exponential back-off and subscribes each of them again
 * with `extensions.resume`, so that a subgraph that keeps its events (orders' Redis stream) replays those the router
 * missed. A subgraph unreachable for `resumeTimeoutMs` ends its subscriptions with `SUBGRAPH_UNAVAILABLE`.
 */
export class SubgraphSubscriptions {
  private readonly upstreams = new Map<string, Upstream>();
  private readonly options: Required<Omit<SubgraphSubscriptionsOptions, "sign">> &
    Pick<SubgraphSubscriptionsOptions, "sign">;
  private closed = false;

  constructor({
    resumeTimeoutMs = 30_000,
    retryDelayMs = 100,
    retryMaxDelayMs = 5_000,
    keepAliveMs = 10_000,
    ...rest
  }: SubgraphSubscriptionsOptions) {
    this.options = { resumeTimeoutMs, retryDelayMs, retryMaxDelayMs, keepAliveMs, ...rest };
  }

  /** Subscribes to `request` on a subgraph; returns what unsubscribes (no `end` follows an unsubscribe). */
  subscribe(serviceName: string, request: UpstreamRequest, sink: UpstreamSink): () => void {
    const upstream = this.closed ? undefined : this.upstreamOf(serviceName);
    if (!upstream) {
      const reason = this.closed ? "the router is shutting down" : "no URL for this subgraph";
      sink.end(subgraphFailed({ code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName, reason }).toJSON());
      return () => undefined;
    }
    const payload = {
      query: request.query,
      variables: request.variables,
      ...(request.operationName ? { operationName: request.operationName } : {}),
      extensions: { headers: request.headers } as UpstreamExtensions,
    };
    let ended = false;
    const handle: Handle = { payload, sink, subscribedAt: Date.now(), dispose: () => undefined };
    const finish = (error?: GraphQLFormattedError): void => {
      if (ended) return;
      ended = true;
      upstream.handles.delete(handle);
      sink.end(error);
    };
    upstream.handles.add(handle);
    const unsubscribe = upstream.client.subscribe<Record<string, unknown>, Record<string, unknown>>(payload, {
      next: (answer) => {
        if (ended) return;
        // graphql-ws sends this same payload again when it reconnects, so this is where the next subscribe resumes.
        const cursor = answer.extensions?.resumeCursor;
        if (typeof cursor === "string") payload.extensions.resume = { after: cursor };
        sink.next(answer as UpstreamAnswer);
      },
      error: (error) => {
        if (Array.isArray(error)) {
          // The subgraph refused the subscription (validation, authorization): its errors are the answer.
          if (!ended) sink.next({ errors: error as GraphQLFormattedError[] });
          return finish();
        }
        const code = (error as { code?: unknown }).code;
        this.options.logger.warn(
          { subgraph: serviceName, code, err: error instanceof Error ? error : undefined },
          "subgraph subscription failed",
        );
        finish(
          subgraphFailed({
            code: ErrorCode.SUBGRAPH_UNAVAILABLE,
            serviceName,
            reason: typeof code === "number" ? `connection closed (${code})` : "connection failed",
          }).toJSON(),
        );
      },
      complete: () => finish(),
    });
    handle.dispose = () => {
      ended = true;
      upstream.handles.delete(handle);
      unsubscribe();
    };
    return () => handle.dispose();
  }

  /** Subscriptions open to subgraphs now (each client subscription holds one). */
  get open(): number {
    let count = 0;
    for (const upstream of this.upstreams.values()) count += upstream.handles.size;
    return count;
  }

  /** Ends every subgraph subscription (without telling their sinks) and closes the connections. */
  async close(): Promise<void> {
    this.closed = true;
    const upstreams = [...this.upstreams.values()];
    this.upstreams.clear();
    for (const upstream of upstreams) {
      clearTimeout(upstream.lostTimer);
      for (const handle of [...upstream.handles]) handle.dispose();
    }
    await Promise.all(upstreams.map((upstream) => upstream.client.dispose()));
  }

  private upstreamOf(serviceName: string): Upstream | undefined {
    const known = this.upstreams.get(serviceName);
    if (known) return known;
    const httpUrl = this.options.urlOf(serviceName);
    if (!httpUrl) return undefined;
    const { sign, logger, retryDelayMs, retryMaxDelayMs, keepAliveMs } = this.options;
    const backoffs = new ExponentialBackoff({ initialDelay: retryDelayMs, maxDelay: retryMaxDelayMs });
    let backoff: IBackoff<unknown> | undefined;
    const upstream: Upstream = {
      serviceName,
      handles: new Set(),
      lostTimer: undefined,
      client: createClient({
        url: webSocketUrl(httpUrl),
        webSocketImpl: WebSocket,
        lazy: true,
        lazyCloseTimeout: 1_000,
        keepAlive: keepAliveMs,
        connectionParams: () => (sign ? { [ROUTER_SIGNATURE_HEADER]: sign() } : {}),
        // Every loss is worth another attempt while subscriptions wait; `resumeTimeoutMs` bounds the wait instead.
        retryAttempts: Number.POSITIVE_INFINITY,
        shouldRetry: () => true,
        retryWait: async () => {
          backoff = backoff ? backoff.next(undefined) : backoffs.next();
          await sleep(backoff.duration);
        },
        on: {
          connected: () => {
            backoff = undefined;
            if (upstream.lostTimer)
              logger.info(
                { subgraph: serviceName, subscriptions: upstream.handles.size },
                "subgraph subscriptions resumed",
              );
            clearTimeout(upstream.lostTimer);
            upstream.lostTimer = undefined;
          },
          closed: (event) => this.lost(upstream, event),
        },
      }),
    };
    this.upstreams.set(serviceName, upstream);
    return upstream;
  }

  /** The connection closed: subscriptions resume from where they were, or end after `resumeTimeoutMs`. */
  private lost(upstream: Upstream, event: unknown): void {
    if (this.closed || upstream.handles.size === 0 || upstream.lostTimer) return;
    const { serviceName } = upstream;
    const code = (event as { code?: unknown } | undefined)?.code;
    this.options.logger.warn(
      { subgraph: serviceName, code, subscriptions: upstream.handles.size },
      "subgraph subscription connection lost; reconnecting",
    );
    for (const handle of upstream.handles) handle.payload.extensions.resume ??= { since: handle.subscribedAt };
    const timeoutMs = this.options.resumeTimeoutMs;
    upstream.lostTimer = setTimeout(() => {
      upstream.lostTimer = undefined;
      const failure = subgraphFailed({
        code: ErrorCode.SUBGRAPH_UNAVAILABLE,
        serviceName,
        reason: `no connection for ${timeoutMs} ms`,
      }).toJSON();
      for (const handle of [...upstream.handles]) {
        handle.dispose();
        handle.sink.end(failure);
      }
    }, timeoutMs);
    upstream.lostTimer.unref();
  }
}
