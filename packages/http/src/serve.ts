import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express, type Request } from "express";
import cors, { type CorsOptions } from "cors";
import type { ApolloServer, BaseContext } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";

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
  /** Largest accepted JSON body. @default "1mb" */
  bodyLimit?: string;
  /** Extra routes (metrics, readiness) added before the GraphQL route. */
  routes?: (app: Express) => void;
}

export interface Served {
  /** e.g. http://127.0.0.1:4001/graphql */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts the server; `/health` answers 200 while the process is up (liveness). */
export async function serveGraphQL<TContext extends BaseContext>(options: ServeOptions<TContext>): Promise<Served> {
  const app = express();
  app.disable("x-powered-by");
  const httpServer = createServer(app);
  const apollo = options.apollo(httpServer);
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer }));
  await apollo.start();
  app.get("/health", (_req, res) => void res.json({ status: "ok" }));
  options.routes?.(app);
  const path = options.path ?? "/graphql";
  app.use(
    path,
    cors(options.cors ?? { origin: false }),
    express.json({ limit: options.bodyLimit ?? "1mb" }),
    expressMiddleware(apollo, { context: ({ req }) => options.context(req) }),
  );
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  return {
    url: `http://${shownHost}:${port}${path}`,
    port,
    stop: () => apollo.stop(),
  };
}
