import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from "graphql-ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { Logger } from "@commerce/common";
import type { StreamHost } from "./serve.js";

/**
 * WebSocket close codes of GraphQL streams besides graphql-ws's own (4400 bad request, 4401 unauthorized, 4403
 * forbidden, 4408 init timeout, 4500 internal error). 1001 and 4001 tell graphql-ws clients to reconnect; the reason
 * names the code.
 */
export const StreamCloseCode = {
  /** The server is shutting down (reason `SHUTTING_DOWN`): reconnect, to another instance. */
  GOING_AWAY: 1001,
  /** The peer did not read what was sent fast enough (reason `SLOW_CONSUMER`). */
  SLOW_CONSUMER: 4001,
  /** The connection's token expired (reason `TOKEN_EXPIRED`): connect again with a fresh one. */
  UNAUTHORIZED: CloseCode.Unauthorized,
} as const;

/** What a GraphQL WebSocket hands graphql-ws's hooks as `ctx.extra`. */
export interface WebSocketExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

export interface GraphQLWebSocketOptions<E extends WebSocketExtra = WebSocketExtra> {
  /** The GraphQL path; upgrades to any other path are refused. @default "/graphql" */
  path?: string;
  /** graphql-ws's server: the schema or the hooks that run operations. */
  server: ServerOptions<Record<string, unknown> | undefined, E>;
  logger: Logger;
  /** The server pings each socket this often; a socket that has not answered by the next ping is dropped. @default 12000 */
  heartbeatMs?: number;
  /** Largest message accepted from a peer (bytes); a larger one closes the socket (1009). @default 1048576 */
  maxPayloadBytes?: number;
  /**
   * Bytes waiting to be sent on one socket (the peer is not reading) past which it is closed with
   * `SLOW_CONSUMER` (4001) rather than buffered further. @default 4194304
   */
  maxBufferedBytes?: number;
  /** How long `close()` waits for sockets to close before terminating them. @default 2000 */
  closeTimeoutMs?: number;
  /** Adds to `ctx.extra` for each new socket (the router's per-connection state). @default nothing */
  extra?: (socket: WebSocket, request: IncomingMessage) => Omit<E, keyof WebSocketExtra>;
}

/** A graphql-ws (graphql-transport-ws) server on the HTTP server's upgrades, with `StreamHost`'s life cycle. */
export interface GraphQLWebSocketHost extends StreamHost {
  /** Sockets open now. */
  readonly connections: number;
}

/**
 * Serves graphql-ws on an HTTP server's GraphQL path. graphql-ws's own `ws` binding is not used because it writes
 * to the console, never bounds a socket's send buffer and has no way to close its sockets with our codes; this
 * binding is the same small loop (graphql-ws `makeServer` does the protocol) with those three.
 */
export function graphqlWebSocketHost<E extends WebSocketExtra = WebSocketExtra>(
  options: GraphQLWebSocketOptions<E>,
): GraphQLWebSocketHost {
  const {
    path = "/graphql",
    logger,
    heartbeatMs = 12_000,
    maxPayloadBytes = 1_048_576,
    maxBufferedBytes = 4_194_304,
    closeTimeoutMs = 2_000,
  } = options;
  const server = makeServer(options.server);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxPayloadBytes,
    handleProtocols: (protocols) => handleProtocols(protocols),
  });
  let closing = false;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    if (closing || pathname !== path) {
      socket.end(
        `HTTP/1.1 ${closing ? "503 Service Unavailable" : "404 Not Found"}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => opened(ws, request));
  };

  const opened = (socket: WebSocket, request: IncomingMessage): void => {
    socket.on("error", (error) => logger.debug({ err: error }, "WebSocket error"));
    let alive = true;
    socket.on("pong", () => (alive = true));
    const heartbeat = setInterval(() => {
      if (!alive) return void socket.terminate();
      alive = false;
      socket.ping();
    }, heartbeatMs);
    heartbeat.unref();
    const extra = { ...options.extra?.(socket, request), socket, request } as E;
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, () => resolve());
            // Past the bound the peer is not reading: drop it rather than hold its backlog in memory.
            if (socket.bufferedAmount > maxBufferedBytes) {
              logger.warn(
                { bufferedBytes: socket.bufferedAmount, maxBufferedBytes },
                "WebSocket peer too slow; closing it",
              );
              socket.close(StreamCloseCode.SLOW_CONSUMER, "SLOW_CONSUMER");
              // A peer that stopped reading also ignores the close handshake.
              setTimeout(() => socket.terminate(), closeTimeoutMs).unref();
            }
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on("message", (data) => {
            handle(String(data)).catch((error: unknown) => {
              logger.error({ err: error }, "GraphQL WebSocket message failed");
              socket.close(CloseCode.InternalServerError, "Internal server error");
            });
          }),
      },
      extra,
    );
    socket.once("close", (code, reason) => {
      clearInterval(heartbeat);
      closed(code, reason.toString()).catch((error: unknown) =>
        logger.error({ err: error }, "GraphQL WebSocket close handler failed"),
      );
    });
  };

  return {
    get connections() {
      return wss.clients.size;
    },
    attach(httpServer: Server) {
      httpServer.on("upgrade", onUpgrade);
    },
    async close() {
      closing = true;
      const sockets = [...wss.clients];
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === socket.CLOSED) return resolve();
              socket.once("close", () => resolve());
              socket.close(StreamCloseCode.GOING_AWAY, "SHUTTING_DOWN");
              setTimeout(() => {
                socket.terminate();
                resolve();
              }, closeTimeoutMs).unref();
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
