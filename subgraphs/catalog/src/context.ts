import { randomUUID } from "node:crypto";
import { GraphQLError } from "graphql";
import type { Cache } from "@commerce/cache";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import { createTokenVerifier, viewerFromAuthorization, type Viewer } from "@commerce/auth";
import { createLoaders, type Loaders } from "./loaders.js";
import type { CatalogDeps } from "./server.js";

/** What every resolver gets: the verified viewer (null when anonymous) and this request's loaders. */
export interface Context {
  db: Db;
  cache: Cache;
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
 * Builds the per-request context factory. A missing Authorization header is anonymous;
 * a present but invalid one fails the request with UNAUTHENTICATED.
 */
export function createContext(deps: CatalogDeps): (req: ContextRequest) => Promise<Context> {
  const verify = createTokenVerifier({ secret: deps.config.jwtSecret });
  return async (req) => {
    const requestId = header(req, "x-request-id") ?? randomUUID();
    let viewer: Viewer | null;
    try {
      viewer = await viewerFromAuthorization(header(req, "authorization"), verify);
    } catch (error) {
      throw withHttpStatus(error, 401);
    }
    const logger = deps.logger.child({ requestId });
    return {
      db: deps.db,
      cache: deps.cache,
      logger,
      viewer,
      requestId,
      loaders: createLoaders({ db: deps.db, cache: deps.cache, ttlSeconds: deps.config.cacheTtlSeconds, batches: deps.telemetry?.batches }),
    };
  };
}

/** Apollo answers a failed context with HTTP 500 unless the error names a status; STYLE.md §5 gives UNAUTHENTICATED 401. */
function withHttpStatus(error: unknown, status: number): unknown {
  if (error instanceof GraphQLError) Object.assign(error.extensions, { http: { status } });
  return error;
}
