import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import cors, { type CorsOptions } from "cors";
import type { ApolloServer, BaseContext } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import { checkReadiness, type ReadinessCheck } from "./readiness.js";
import { requestErrorHandler, requireJsonBody } from "./requestErrors.js";
import { requestIdMiddleware } from "./requestId.js";
import { callerGuard } from "./callerGuard.js";

export interface ServeOptions<TContext extends BaseContext> {
  /** Builds the ApolloServer once the HTTP server exists (so it can be drained on stop). */
  apollo: (httpServer: Server) => ApolloServer<TContext>;
  /** Per-request context from the incoming HTTP request. */
  context: (req: Request) => Promise<TContext>;
  port: number;
  host: string;
  /** GraphQL path. @default "/graphql" */
  path?: string;
  /** CORS for browsers; off unless given. */
  cors?: CorsOptions;
  /** Largest accepted JSON body (bytes, or a size like "1mb"); larger bodies get 413 `MAX_BODY_BYTES_LIMIT`. @default "1mb" */
  bodyLimit?: string | number;
  /**
   * Subgraphs: the secret shared with the router (`ROUTER_SECRET`). When set, GraphQL requests without a valid
   * `x-router-signature` get 401 `UNAUTHENTICATED` before Apollo sees them; `/health`, `/ready` and `/metrics` stay open.
   */
  routerSecret?: string | undefined;
  /**
   * Subgraphs guarded by `routerSecret`: the services that may also call under their own identity, name → key
   * (`TRUSTED_SERVICES`), with `x-service-signature`; `callerOf(req)` names who called. @default none
   */
  trustedServices?: ReadonlyMap<string, string>;
  /**
   * Express's `trust proxy`: which proxies' `X-Forwarded-For` (and `-Proto`, `-Host`) are believed, so `req.ip`
   * is the client rather than a load balancer. `true` trusts every hop, a number that many hops from the server,
   * addresses/subnets (`"10.0.0.0/8"`, `"loopback"`, or an array of them) those proxies. @default false
   */
  trustProxy?: boolean | number | string | readonly string[];
  /** Extra routes added before the GraphQL route. */
  routes?: (app: Express) => void;
  /** Run on each GraphQL request after body parsing, before Apollo (e.g. the tracing middleware). @default [] */
  middleware?: ReadonlyArray<(req: Request, res: Response, next: NextFunction) => void>;
  /** Serves `GET /metrics` (Prometheus text) when given. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /**
   * `GET /ready` answers 200 when every check passes (`status: "ready"`, or `"degraded"` when a check reports a
   * failing dependency the service works around), else 503 (`"not_ready"`); each with the JSON report. A function
   * is asked on each probe. @default {}
   */
  readiness?: Readonly<Record<string, ReadinessCheck>> | (() => Readonly<Record<string, ReadinessCheck>>);
  /**
   * Long-lived streams served beside the request/response routes (GraphQL subscriptions over WebSocket): `attach`
   * gets the HTTP server before it listens (WebSocket upgrades arrive on it); `close` runs first in `stop()`, so
   * open streams end with their own close codes instead of holding the drain until its deadline. @default none
   */
  streams?: StreamHost;
  /**
   * How long `stop()` lets in-flight requests finish (`SHUTDOWN_TIMEOUT_MS` in the services); connections still
   * busy after it are closed. @default 10000
   */
  shutdownTimeoutMs?: number;
}

/** What `serveGraphQL` needs of a server of long-lived streams (see `ServeOptions.streams`). */
export interface StreamHost {
  attach(httpServer: Server): void;
  /** Closes every open stream and refuses new ones; resolves once they are closed. */
  close(): Promise<void>;
}

export interface Served {
  /** e.g. http://127.0.0.1:4001/graphql */
  url: string;
  port: number;
  /**
   * Graceful stop: stops accepting connections, answers `/ready` 503, closes idle keep-alive connections, lets
   * in-flight requests finish (each response then closes its connection) for up to `shutdownTimeoutMs`, then
   * closes what is left and stops Apollo. Resolves when the server is closed.
   */
  stop(): Promise<void>;
}

/**
 * Starts the server. `/health` answers 200 while the process is up (liveness); `/ready` runs the
 * readiness checks (200 or 503, JSON details; 503 "stopping" once `stop()` began); `/metrics`
 * serves Prometheus metrics when given.
 */
export async function serveGraphQL<TContext extends BaseContext>(options: ServeOptions<TContext>): Promise<Served> {
  const app = express();
  app.disable("x-powered-by");
  const { trustProxy = false } = options;
  app.set("trust proxy", typeof trustProxy === "object" ? [...trustProxy] : trustProxy);
  // Before every route, so every response (health, 404, body errors, GraphQL) carries the request id.
  app.use(requestIdMiddleware);
  let stopping = false;
  const httpServer = createServer(app);
  // Responses not yet sent; once stopping, each closes its connection (Connection: close) so keep-alive clients
  // reconnect (to another instance) instead of reusing a socket that is about to end.
  const unsent = new Set<ServerResponse>();
  httpServer.on("request", (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping) return void res.setHeader("connection", "close");
    unsent.add(res);
    res.once("close", () => unsent.delete(res));
  });
  const apollo = options.apollo(httpServer);
  const { shutdownTimeoutMs = 10_000 } = options;
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: shutdownTimeoutMs }));
  await apollo.start();
  app.get("/health", (_req, res) => void res.json({ status: "ok" }));
  const readiness = options.readiness ?? {};
  app.get("/ready", async (_req, res) => {
    if (stopping) return void res.status(503).json({ status: "stopping", checks: {} });
    const report = await checkReadiness(typeof readiness === "function" ? readiness() : readiness);
    const status = report.ready ? (report.degraded ? "degraded" : "ready") : "not_ready";
    res.status(report.ready ? 200 : 503).json({ status, checks: report.checks });
  });
  const { metrics } = options;
  if (metrics) {
    app.get("/metrics", async (_req, res, next) => {
      try {
        const { contentType, body } = await metrics();
        res.type(contentType).send(body);
      } catch (error) {
        next(error);
      }
    });
  }
  options.routes?.(app);
  const path = options.path ?? "/graphql";
  app.use(
    path,
    cors(options.cors ?? { origin: false }),
    ...(options.routerSecret
      ? [callerGuard({ routerSecret: options.routerSecret, trustedServices: options.trustedServices })]
      : []),
    requireJsonBody,
    express.json({ limit: options.bodyLimit ?? "1mb" }),
    ...(options.middleware ?? []),
    expressMiddleware(apollo, { context: ({ req }) => options.context(req) }),
  );
  app.use(requestErrorHandler);
  options.streams?.attach(httpServer);
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  return {
    url: `http://${shownHost}:${port}${path}`,
    port,
    async stop() {
      stopping = true;
      for (const res of unsent) if (!res.headersSent) res.setHeader("connection", "close");
      unsent.clear();
      await options.streams?.close();
      return apollo.stop();
    },
  };
}
