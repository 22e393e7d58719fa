import { randomUUID } from "node:crypto";
import { GraphQLError } from "graphql";
import { createTokenVerifier, viewerFromAuthorization, type Viewer } from "@commerce/auth";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import { createLoaders, type Loaders } from "./loaders.js";
import type { ReviewsDeps } from "./server.js";

/** What every resolver gets: the verified viewer (null when anonymous) and this request's loaders. */
export interface Context {
  db: Db;
  logger: Logger;
  viewer: Viewer | null;
  loaders: Loaders;
  requestId: string;
}

/** The parts of an HTTP request the context needs (an Express request fits). */
export interface ContextRequest {
  headers: Record<string, string | string[] | undefined>;
}

function header(req: ContextRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Builds the per-request context factory: the one place a request's identity is decided (a
 * router-only guard belongs here too). A missing Authorization header is anonymous; a present
 * but invalid one fails the request with UNAUTHENTICATED (HTTP 401).
 */
export function createContext(deps: ReviewsDeps): (req: ContextRequest) => Promise<Context> {
  const verify = createTokenVerifier({ secret: deps.config.jwtSecret });
  return async (req) => {
    const requestId = header(req, "x-request-id") ?? randomUUID();
    let viewer: Viewer | null;
    try {
      viewer = await viewerFromAuthorization(header(req, "authorization"), verify);
    } catch (error) {
      if (error instanceof GraphQLError) Object.assign(error.extensions, { http: { status: 401 } });
      throw error;
    }
    return {
      db: deps.db,
      logger: deps.logger.child({ requestId }),
      viewer,
      requestId,
      loaders: createLoaders(deps.db),
    };
  };
}
