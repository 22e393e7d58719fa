import type { IncomingMessage, Server } from "node:http";
import proxyaddr from "proxy-addr";
import type { StreamHost } from "@commerce/http";
import type { Logger } from "@commerce/common";
import type { TrustProxy } from "../config.js";
import { SubgraphSubscriptions } from "./subgraphSubscriptions.js";
import { SubscriptionService, type SubscriptionServiceOptions } from "./subscriptionService.js";
import { sseTransport } from "./sseTransport.js";
import { webSocketTransport } from "./webSocketTransport.js";

export interface SubscriptionStreamsOptions extends Omit<SubscriptionServiceOptions, "upstream" | "logger"> {
  /** The GraphQL path: WebSocket upgrades are accepted there. */
  path: string;
  /** A subgraph's GraphQL URL by name (its WebSocket is at the same address). */
  subgraphUrl: (serviceName: string) => string | undefined;
  /** The router signature for now, sent when connecting to a subgraph. @default unsigned */
  sign?: (() => string) | undefined;
  /** Which proxies' `X-Forwarded-For` names a WebSocket client (as express's `trust proxy` for SSE). */
  trustProxy: TrustProxy;
  /** Largest message a WebSocket client may send (`MAX_BODY_BYTES`). */
  maxPayloadBytes: number;
  logger: Logger;
}

export interface SubscriptionStreams {
  service: SubscriptionService;
  /** The WebSocket server (graphql-ws) and the shutdown of every stream. */
  host: StreamHost;
  /** Express middleware answering `Accept: text/event-stream` requests (graphql-sse). */
  sse: ReturnType<typeof sseTransport>;
}

/** The router's subscription transports over one subscription service and its subgraph connections. */
export function subscriptionStreams(options: SubscriptionStreamsOptions): SubscriptionStreams {
  const { path, subgraphUrl, sign, trustProxy, maxPayloadBytes, logger, ...rest } = options;
  const upstream = new SubgraphSubscriptions({
    urlOf: subgraphUrl,
    sign,
    logger,
    resumeTimeoutMs: rest.settings.resumeTimeoutMs,
    keepAliveMs: rest.settings.heartbeatMs,
  });
  const service = new SubscriptionService({ ...rest, upstream, logger });
  const webSocket = webSocketTransport({
    service,
    path,
    clientAddress: clientAddressOf(trustProxy),
    logger,
    maxPayloadBytes,
  });
  return {
    service,
    sse: sseTransport({ service }),
    host: {
      attach: (httpServer: Server) => webSocket.attach(httpServer),
      async close() {
        // Each subscription ends with SHUTTING_DOWN first, then the sockets close (1001: reconnect elsewhere).
        await service.close();
        await webSocket.close();
      },
    },
  };
}

/** The client address of an upgrade request, believing `X-Forwarded-For` only from trusted proxies (as express does). */
function clientAddressOf(trustProxy: TrustProxy): (request: IncomingMessage) => string | undefined {
  const trust: (address: string, hop: number) => boolean =
    typeof trustProxy === "boolean"
      ? () => trustProxy
      : typeof trustProxy === "number"
        ? (_address, hop) => hop < trustProxy
        : proxyaddr.compile([...trustProxy]);
  return (request) => proxyaddr(request, trust);
}
