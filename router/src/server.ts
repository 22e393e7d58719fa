import { ApolloServer } from "@apollo/server";
import type { ApolloGateway } from "@apollo/gateway";
import type { CorsOptions } from "cors";
import type { Express } from "express";
import type { Logger } from "@commerce/common";
import type { RouterConfig } from "./config.js";
import { createContext, type IncomingRequest, type RouterContext } from "./context.js";
import { createGateway } from "./gateway.js";
import { routerPlugins } from "./plugins/index.js";
import { depthLimitRule } from "./validation/depthLimit.js";

export interface RouterDeps {
  config: RouterConfig;
  logger: Logger;
  /** The gateway to serve; tests pass one over in-memory subgraphs. @default createGateway over `config.supergraphPath` */
  gateway?: ApolloGateway;
}

/** Where the router serves GraphQL (and, for browsers, the landing page). */
export const GRAPHQL_PATH = "/graphql";

/** Everything `serveGraphQL` needs besides the address. */
export interface Router {
  path: string;
  apollo: ApolloServer<RouterContext>;
  context: (req: IncomingRequest) => Promise<RouterContext>;
  cors: CorsOptions;
  /** Extra HTTP routes: `GET /` sends browsers to the GraphQL path, where the landing page is. */
  routes: (app: Express) => void;
  /** Stops Apollo Server, which stops the gateway and its supergraph watcher. */
  stop: () => Promise<void>;
}

/** Builds the router without listening; `index.ts` serves it. */
export function createRouter({ config, logger, gateway }: RouterDeps): Router {
  const production = config.nodeEnv === "production";
  const apollo = new ApolloServer<RouterContext>({
    gateway:
      gateway ??
      createGateway({ supergraphPath: config.supergraphPath, subgraphUrls: config.subgraphUrls, logger }),
    nodeEnv: config.nodeEnv,
    introspection: !production,
    validationRules: [depthLimitRule({ maxDepth: config.maxQueryDepth })],
    plugins: routerPlugins({ production }),
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // index.ts owns signal handling: it stops the HTTP server, which drains requests and then stops Apollo.
    stopOnTerminationSignals: false,
    logger: logger.child({ component: "apollo" }),
  });
  const origins = config.corsOrigins;
  return {
    path: GRAPHQL_PATH,
    apollo,
    context: createContext(logger),
    cors: { origin: origins.includes("*") ? true : origins.length > 0 ? [...origins] : false },
    routes: (app) => {
      app.get("/", (_req, res) => res.redirect(302, GRAPHQL_PATH));
    },
    stop: () => apollo.stop(),
  };
}
