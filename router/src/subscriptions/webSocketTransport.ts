import type { IncomingMessage } from "node:http";
import { buildSchema, GraphQLError, parse, type ExecutionResult, type GraphQLFormattedError } from "graphql";
import { CloseCode } from "graphql-ws";
import { graphqlWebSocketHost, StreamCloseCode, type GraphQLWebSocketHost, type WebSocketExtra } from "@commerce/http";
import { subscriptionLimitExceeded, unauthenticated, type Logger } from "@commerce/common";
import type { SubscriptionService, StreamCaller } from "./subscriptionService.js";
import type { StreamResult, SubscriptionStream } from "./subscriptionStream.js";

/** One WebSocket's state: its caller (once `connection_init` verified it), its subscriptions and its timers. */
interface Connection extends WebSocketExtra {
  caller?: StreamCaller;
  readonly streams: Map<string, SubscriptionStream>;
  /** Formatted errors of refused operations, sent by `onError` in place of graphql-ws's own. */
  readonly refusals: Map<string, readonly GraphQLFormattedError[]>;
  idle?: NodeJS.Timeout;
  expiry?: NodeJS.Timeout;
}

/** What an operation over the socket hands graphql-ws's `subscribe`/`execute` (the service already ran it). */
interface Handed {
  stream?: SubscriptionStream;
  result?: StreamResult;
}

export interface WebSocketTransportOptions {
  service: SubscriptionService;
  path: string;
  /** The client's address of an upgrade request (behind the trusted proxies), for anonymous callers' limits. */
  clientAddress: (request: IncomingMessage) => string | undefined;
  logger: Logger;
  /** Largest message accepted from a client (`MAX_BODY_BYTES`). */
  maxPayloadBytes: number;
}

// graphql-ws picks `subscribe` or `execute` by the operation type of the arguments `onSubscribe` returns; the
// service has already run the operation by then, so these only carry that type (the schema is never executed).
const PLACEHOLDER_SCHEMA = buildSchema("type Query { handed: Boolean } type Subscription { handed: Boolean }");
const SUBSCRIPTION_DOCUMENT = parse("subscription { handed }");
const QUERY_DOCUMENT = parse("query { handed }");

/**
 * GraphQL over WebSocket (the graphql-transport-ws protocol of graphql-ws and Apollo Client's GraphQLWsLink). The
 * caller is verified once, from `connectionParams.authorization` (or `Authorization`), else the upgrade request's
 * Authorization header: an invalid token closes the socket with 4401 and the reason (`TOKEN_INVALID`), and so does
 * the token expiring while the socket is open (`TOKEN_EXPIRED`). Each operation runs through the subscription
 * service; at most `maxPerConnection` subscriptions are open at once on a socket; a socket with none for
 * `idleTimeoutMs` is closed (1000); one whose subscriber falls behind is closed with 4001 `SLOW_CONSUMER`.
 */
export function webSocketTransport({
  service,
  path,
  clientAddress,
  logger,
  maxPayloadBytes,
}: WebSocketTransportOptions): GraphQLWebSocketHost {
  const { settings } = service.options;
  const startIdle = (connection: Connection): void => {
    clearTimeout(connection.idle);
    connection.idle = setTimeout(() => connection.socket.close(1000, "IDLE_TIMEOUT"), settings.idleTimeoutMs);
    connection.idle.unref();
  };
  const refuse = (connection: Connection, id: string, errors: readonly GraphQLFormattedError[]): GraphQLError[] => {
    connection.refusals.set(id, errors);
    return errors.map((error) => new GraphQLError(error.message));
  };

  return graphqlWebSocketHost<Connection>({
    path,
    logger,
    heartbeatMs: settings.heartbeatMs,
    maxPayloadBytes,
    maxBufferedBytes: settings.maxBufferedBytes,
    extra: () => ({ streams: new Map(), refusals: new Map() }),
    server: {
      connectionInitWaitTimeout: settings.connectionInitTimeoutMs,
      async onConnect(ctx) {
        const connection = ctx.extra;
        const { request, socket } = connection;
        const params = ctx.connectionParams ?? {};
        const given = params.authorization ?? params.Authorization;
        const authorization = typeof given === "string" ? given : request.headers.authorization;
        try {
          connection.caller = await service.authenticate(authorization, request.headers, clientAddress(request));
        } catch (error) {
          const reason =
            error instanceof GraphQLError ? String(error.extensions.reason ?? error.extensions.code) : "TOKEN_INVALID";
          socket.close(CloseCode.Unauthorized, reason);
          return false;
        }
        const expiresAt = connection.caller.viewer?.expiresAt;
        if (expiresAt !== undefined) {
          const expire = (): void => {
            // Each subscription's last result says why (its own timer may have sent it already), then the socket closes.
            const streams = [...connection.streams.values()];
            for (const stream of streams)
              stream.close(
                "token_expired",
                unauthenticated("Your access token has expired; connect again with a fresh one.", "TOKEN_EXPIRED"),
              );
            const sent = Promise.all(streams.map((stream) => stream.finished));
            void Promise.race([sent, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]).then(() =>
              socket.close(StreamCloseCode.UNAUTHORIZED, "TOKEN_EXPIRED"),
            );
          };
          // setTimeout holds at most ~24.8 days; a token outliving that is not watched here (its streams still are).
          connection.expiry = setTimeout(expire, Math.min(Math.max(0, expiresAt - Date.now()), 2_147_000_000));
          connection.expiry.unref();
        }
        startIdle(connection);
        return true;
      },
      async onSubscribe(ctx, id, payload) {
        const connection = ctx.extra;
        const caller = connection.caller;
        if (!caller) return refuse(connection, id, [service.format({ message: "Not connected." })]);
        if (connection.streams.size >= settings.maxPerConnection) {
          const error = subscriptionLimitExceeded({
            scope: "connection",
            measured: connection.streams.size + 1,
            max: settings.maxPerConnection,
          });
          return refuse(connection, id, [service.format(error)]);
        }
        const outcome = await service.execute(payload, caller, "ws", (reason) => {
          connection.streams.delete(id);
          if (reason === "slow_consumer") connection.socket.close(StreamCloseCode.SLOW_CONSUMER, "SLOW_CONSUMER");
          else if (connection.streams.size === 0) startIdle(connection);
        });
        if ("stream" in outcome) {
          // The socket may have closed while the operation was planned: graphql-ws then never pulls the stream.
          if (connection.socket.readyState !== connection.socket.OPEN) {
            void outcome.stream.return();
            return refuse(connection, id, [service.format({ message: "Connection closed." })]);
          }
          connection.streams.set(id, outcome.stream);
          clearTimeout(connection.idle);
          return {
            schema: PLACEHOLDER_SCHEMA,
            document: SUBSCRIPTION_DOCUMENT,
            contextValue: { stream: outcome.stream } satisfies Handed,
          };
        }
        const { result } = outcome;
        if (result.data === undefined || result.data === null)
          return refuse(connection, id, result.errors ?? [service.format({ message: "No result." })]);
        return { schema: PLACEHOLDER_SCHEMA, document: QUERY_DOCUMENT, contextValue: { result } satisfies Handed };
      },
      subscribe: (args) => (args.contextValue as Handed).stream as AsyncGenerator<ExecutionResult>,
      execute: (args) => (args.contextValue as Handed).result as ExecutionResult,
      // Results are formatted already (the service's error formatting): sent as they are.
      onNext: (_ctx, _id, _payload, _args, result) => result,
      onError(ctx, id) {
        const errors = ctx.extra.refusals.get(id);
        ctx.extra.refusals.delete(id);
        return errors as GraphQLFormattedError[];
      },
      async onClose(ctx) {
        clearTimeout(ctx.extra.idle);
        clearTimeout(ctx.extra.expiry);
      },
    },
  });
}
