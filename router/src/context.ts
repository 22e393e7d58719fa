import type { IncomingHttpHeaders } from "node:http";
import type { BaseContext } from "@apollo/server";
import {
  DEFAULT_OPERATION_LIMITS,
  limitError,
  type LimitMode,
  type LimitViolation,
  type OperationLimits,
} from "@commerce/analysis";
import type { Experimental_DidResolveQueryPlanCallback } from "@apollo/gateway";
import { viewerFromAuthorization, type TokenVerifier, type Viewer } from "@commerce/auth";
import { withHttpStatus, type Logger } from "@commerce/common";
import { REQUEST_ID_HEADER, requestIdFrom } from "@commerce/http";
import type { GraphQLSchema } from "graphql";
import { cachedRequestLimits } from "./limits/requestLimits.js";
import type { FieldFilter } from "./plugins/authorization.js";

export { REQUEST_ID_HEADER, requestIdFrom };

export interface RouterContext extends BaseContext {
  /** The incoming `Authorization` header, forwarded as is once it verified. */
  authorization?: string;
  /** The verified caller; null when anonymous. */
  viewer: Viewer | null;
  /** Who pays for the operation in the cost budget: `user:<sub>` for a verified caller, else `ip:<address>`. */
  clientId: string;
  /** From a valid incoming `x-request-id`, else generated. */
  requestId: string;
  /** Child logger carrying `requestId`. */
  logger: Logger;
  /** Limits this request exceeded in `warn` mode (reported in `extensions.limitWarnings`). */
  limitWarnings?: LimitViolation[];
  /**
   * Set by a plugin of this operation (demand control); the gateway calls it once the query plan is known and
   * before any subgraph is called. What it throws becomes the response. Apollo clones the context per operation,
   * so operations of one batch do not share it.
   */
  didResolveQueryPlan?: (resolved: ResolvedQueryPlan) => void;
  /**
   * Aborted when the request deadline passes (`ROUTER_REQUEST_TIMEOUT_MS`, set by the request deadline plugin):
   * subgraph calls still in flight stop and the router answers 504. Absent when the deadline is off.
   */
  signal?: AbortSignal;
  /** Set by field authorization in `filter` mode when it removed fields: what to do to each response (or event). */
  fieldFilter?: FieldFilter;
  /** The request is a batch of operations (an incremental `@defer` response cannot be part of one). */
  batched?: true;
}

/** What the gateway knows once it has planned an operation (its `experimental_didResolveQueryPlan` argument). */
export type ResolvedQueryPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0];

/** The part of an incoming HTTP request the context needs (an express Request fits). */
export interface IncomingRequest {
  headers: IncomingHttpHeaders;
  /** The parsed body: an array for a batched request. */
  body?: unknown;
  /** Query-string parameters (GET requests carry the operation there). */
  query?: unknown;
  ip?: string | undefined;
}

export interface ContextOptions {
  /** Verifies access tokens; without it every caller is anonymous (the header is still forwarded). */
  verify?: TokenVerifier;
  /** Operation limits, checked here before Apollo parses, validates or plans. @default DEFAULT_OPERATION_LIMITS */
  limits?: Partial<OperationLimits>;
  /** `enforce`: 400 with the limit's code; `warn`: logged and reported in `extensions.limitWarnings`. @default "enforce" */
  limitsMode?: LimitMode;
  /** The API schema currently served, for `Type.field` coordinates in the height limit. @default none */
  schema?: () => GraphQLSchema | undefined;
}

/**
 * Builds the per-request context function handed to the HTTP host. It refuses an oversized batch (before any
 * operation of it runs) and an Authorization header that does not verify (401 UNAUTHENTICATED): a bad token is
 * never silently treated as anonymous.
 */
export function createContext(
  logger: Logger,
  { verify, limits = {}, limitsMode = "enforce", schema }: ContextOptions = {},
): (req: IncomingRequest) => Promise<RouterContext> {
  const max: OperationLimits = { ...DEFAULT_OPERATION_LIMITS, ...limits };
  // A document sent again is not lexed, parsed and measured again (its outcome is kept per document and schema).
  const checkRequestLimits = cachedRequestLimits(max);
  return async (req) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const log = logger.child({ requestId });
    // Here rather than in a plugin: Apollo turns an error thrown from a hook before validation into a 500, and
    // graphql's validation (or the planner) must never see a hostile document.
    const violations = checkRequestLimits(req, { schema: schema?.() });
    const [first] = violations;
    if (first && limitsMode === "enforce") throw limitError(first);
    if (first) log.warn({ limits: violations }, "operation limit exceeded (warn mode)");
    const authorization = req.headers.authorization;
    let viewer: Viewer | null = null;
    if (verify) {
      try {
        viewer = await viewerFromAuthorization(authorization, verify);
      } catch (error) {
        throw withHttpStatus(error, 401);
      }
    }
    return {
      ...(authorization ? { authorization } : {}),
      viewer,
      clientId: clientIdOf(viewer, req),
      requestId,
      logger: log,
      ...(first ? { limitWarnings: violations } : {}),
      ...(Array.isArray(req.body) ? { batched: true as const } : {}),
    };
  };
}

/**
 * A verified user is billed as themself; an anonymous caller always by its address. Headers the caller chooses
 * (such as `apollographql-client-name`) never pick the budget: rotating one would buy a fresh budget.
 */
function clientIdOf(viewer: Viewer | null, req: IncomingRequest): string {
  if (viewer) return `user:${viewer.userId}`;
  return `ip:${req.ip ?? "unknown"}`;
}
