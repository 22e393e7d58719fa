import type { Viewer } from "@commerce/auth";
import type { Cache } from "@commerce/cache";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import { requestScope, viewerReader, type ContextRequest } from "@commerce/subgraph";
import type { SubgraphTelemetry } from "@commerce/telemetry";
import { createAuthService, type AuthService } from "./authService.js";
import type { Config } from "./config.js";
import { createLoaders, type Loaders } from "./loaders.js";

/** What the accounts service runs on; the entry point builds it, tests pass their own. */
export interface AccountsDeps {
  db: Db;
  cache: Cache;
  logger: Logger;
  config: Config;
  /** Resolver and batch spans, operation metrics and logs, `/metrics` and `/ready`; none when absent (unit tests). */
  telemetry?: SubgraphTelemetry;
}

/** Per-request state every resolver receives. */
export interface Context {
  /** The caller, from a verified access token; null when anonymous. */
  viewer: Viewer | null;
  db: Db;
  cache: Cache;
  logger: Logger;
  requestId: string;
  /**
   * Users this request has just authenticated (sign-up, log-in, refresh). The
   * caller proved to be them, so the payload may show them their own private fields.
   */
  authenticatedUserIds: Set<string>;
  /** Fresh per request. */
  loaders: Loaders;
  auth: AuthService;
}

export type { ContextRequest };

/**
 * Builds the per-request context factory. A missing Authorization header means
 * anonymous; a present but invalid or expired token fails the whole request with
 * UNAUTHENTICATED (HTTP 401) rather than silently downgrading to anonymous.
 */
export function createContext(deps: AccountsDeps): (req: ContextRequest) => Promise<Context> {
  const { db, cache, logger, config } = deps;
  const viewerOf = viewerReader(config.jwtSecret);
  const auth = createAuthService({ db, logger, config });
  return async (req) => {
    const viewer = await viewerOf(req);
    return {
      viewer,
      db,
      cache,
      ...requestScope(req, logger),
      authenticatedUserIds: new Set(),
      loaders: createLoaders({ db, cache, batches: deps.telemetry?.batches }),
      auth,
    };
  };
}
