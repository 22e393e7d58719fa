import {
  createSourceEventStream,
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import {
  graphqlWebSocketHost,
  ROUTER_SIGNATURE_HEADER,
  verifyRouterSignature,
  type GraphQLWebSocketHost,
} from "@commerce/http";
import type { Logger } from "@commerce/common";
import type { ContextRequest } from "./context.js";
import { maskError } from "./server.js";

/**
 * Where a subscription resumes after the router lost its connection (`extensions.resume` of graphql-ws's subscribe
 * message): after the event whose `resumeCursor` the router saw last, or from a moment (ms since the epoch).
 */
export type ResumePoint = { after: string } | { since: number };

/** What a subscription's context carries besides the subgraph's own: where to resume from, when the router asks. */
export interface StreamContext {
  resume?: ResumePoint;
}

/**
 * What a source event may carry besides its data: its place in the feed (`resumeCursor`), sent in the result's
 * extensions so that the router resumes after it when it reconnects; and `context`, merged over the subscription's
 * context while this event's result is computed (loaders shared by every subscription the event goes to, so one
 * event is one read whatever the number of subscribers, and never a stale one from an earlier event).
 */
export interface ResumableEvent {
  resumeCursor?: string;
  context?: object;
}

export interface SubscriptionHostOptions<TContext extends object> {
  /** The executable subgraph schema (with its `Subscription` resolvers and shield). */
  schema: GraphQLSchema;
  /** The subgraph's context factory, given the headers the router forwarded with each subscription. */
  context: (req: ContextRequest) => Promise<TContext>;
  /** Only the router may connect: `connectionParams["x-router-signature"]` must verify. @default anyone */
  routerSecret?: string | undefined;
  logger: Logger;
  /** @default "/graphql" */
  path?: string;
  /** WebSocket ping interval. @default 12000 */
  heartbeatMs?: number;
}

interface SubscribeExtensions {
  headers?: Record<string, unknown>;
  resume?: unknown;
}

/**
 * A subgraph's subscriptions over graphql-ws (on the GraphQL path of its HTTP server): the router connects once,
 * signed like its HTTP requests, and multiplexes every caller's subscription on that socket with the caller's headers
 * in each subscribe message's `extensions.headers`. Each subscription gets its own context from those headers (a bad
 * token fails that subscription, not the connection); errors are masked as over HTTP.
 */
export function subscriptionHost<TContext extends object>(
  options: SubscriptionHostOptions<TContext>,
): GraphQLWebSocketHost {
  const { schema, routerSecret, logger, path = "/graphql", heartbeatMs } = options;
  const masked = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => maskError(error.toJSON(), error));
  return graphqlWebSocketHost({
    path,
    logger,
    ...(heartbeatMs ? { heartbeatMs } : {}),
    server: {
      onConnect(ctx) {
        if (!routerSecret) return true;
        const check = verifyRouterSignature(stringOf(ctx.connectionParams?.[ROUTER_SIGNATURE_HEADER]), routerSecret);
        if (!check.ok) logger.warn({ reason: check.reason }, "WebSocket refused: not signed by the router");
        return check.ok;
      },
      async onSubscribe(_ctx, _id, payload) {
        const extensions = (payload.extensions ?? {}) as SubscribeExtensions;
        let document: DocumentNode;
        let contextValue: TContext;
        try {
          document = parse(payload.query);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(extensions.headers ?? {}))
            if (typeof value === "string") headers[name.toLowerCase()] = value;
          contextValue = await options.context({ headers });
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const resume = resumePointOf(extensions.resume);
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: { ...contextValue, ...(resume ? { resume } : {}) },
        };
      },
      subscribe: resumableSubscribe,
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: masked(result.errors) } : undefined,
      onError: (_ctx, _id, _payload, errors) => masked(errors),
    },
  });
}

/**
 * graphql-js's `subscribe`, plus each source event's `resumeCursor` in its result's extensions (graphql-js maps
 * events to results without a way to add extensions, so the mapping is done here: execute once per event). A plain
 * iterator rather than an async generator: a generator's `return()` waits for its pending `next()`, which may be
 * never, so an ended subscription would hold its source until the next event.
 */
async function resumableSubscribe(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  const events = source[Symbol.asyncIterator]();
  const stop = async (): Promise<IteratorResult<ExecutionResult>> => {
    await events.return?.();
    return { value: undefined, done: true };
  };
  const results: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => results,
    async next() {
      const next = await events.next();
      if (next.done) return { value: undefined, done: true };
      const event = next.value as ResumableEvent | null;
      const contextValue = event?.context ? { ...(args.contextValue as object), ...event.context } : args.contextValue;
      const result = await execute({ ...args, rootValue: event, contextValue });
      const cursor = event?.resumeCursor;
      return {
        value:
          typeof cursor === "string"
            ? { ...result, extensions: { ...result.extensions, resumeCursor: cursor } }
            : result,
        done: false,
      };
    },
    return: stop,
    throw: stop,
  };
  return results;
}

/** A subscription's source: events pushed in, pulled by graphql-js. */
export interface EventQueue<T> extends AsyncIterableIterator<T> {
  push(event: T): void;
  /** Ends the iteration (after the queued events), with `error` thrown to the consumer when given. */
  end(error?: Error): void;
}

/**
 * A subscription's queue of source events, as graphql-js consumes them. `return()` ends it at once (and calls
 * `onEnd`, where the producer stops pushing); more than `maxQueued` events not yet taken end it with an error
 * instead of growing.
 */
export function eventQueue<T>({ onEnd, maxQueued = 1000 }: { onEnd: () => void; maxQueued?: number }): EventQueue<T> {
  const queued: T[] = [];
  let ended: { error?: Error } | undefined;
  let wake: (() => void) | undefined;
  const finish = (how: { error?: Error }): void => {
    if (ended) return;
    ended = how;
    onEnd();
    wake?.();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    push(event) {
      if (ended) return;
      if (queued.length >= maxQueued)
        return finish({ error: new Error(`more than ${maxQueued} events waiting: the subscriber is too slow`) });
      queued.push(event);
      wake?.();
    },
    end: (error) => finish(error ? { error } : {}),
    async next() {
      for (;;) {
        const event = queued.shift();
        if (event !== undefined) return { value: event, done: false };
        if (ended) {
          if (ended.error) {
            const { error } = ended;
            ended = {};
            throw error;
          }
          return { value: undefined, done: true };
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    async return() {
      queued.length = 0;
      finish({});
      return { value: undefined, done: true };
    },
    async throw() {
      queued.length = 0;
      finish({});
      return { value: undefined, done: true };
    },
  };
}

function resumePointOf(value: unknown): ResumePoint | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { after, since } = value as { after?: unknown; since?: unknown };
  if (typeof after === "string") return { after };
  if (typeof since === "number" && Number.isFinite(since)) return { since };
  return undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
