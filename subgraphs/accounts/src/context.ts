import type { Cache } from "@commerce/cache";
import type { SubgraphContext } from "@commerce/subgraph";
import { createAuthService, type AuthService } from "./authService.js";
import { createLoaders, type Loaders } from "./loaders.js";
import type { AccountsDeps } from "./server.js";

/** Per-request state every resolver receives: the kit's part (db, viewer, request id, logger) and the accounts part. */
export interface Context extends SubgraphContext {
  cache: Cache;
  /**
   * Users this request has just authenticated (sign-up, log-in, refresh). The
   * caller proved to be them, so the payload may show them their own private fields.
   */
  authenticatedUserIds: Set<string>;
  /** Fresh per request. */
  loaders: Loaders;
  auth: AuthService;
}

/** The accounts part of each request's context: one auth service per server, fresh loaders per request. */
export function requestContext(deps: AccountsDeps): (request: SubgraphContext) => Context {
  const { db, cache, logger, config } = deps;
  const auth = createAuthService({ db, logger, config });
  return (request) => ({
    ...request,
    cache,
    authenticatedUserIds: new Set(),
    loaders: createLoaders({ db, cache, batches: deps.telemetry?.batches }),
    auth,
  });
}
