import { GraphQLError, type GraphQLErrorOptions } from "graphql";

/** Every `extensions.code` the graph emits. Clients switch on these, never on messages. */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
  /** Router field authorization: a field or type the caller may not see (filtered to null, or the operation refused). */
  UNAUTHORIZED_FIELD_OR_TYPE: "UNAUTHORIZED_FIELD_OR_TYPE",
  /** Router demand control: the static cost estimate is above the maximum. */
  COST_ESTIMATED_TOO_EXPENSIVE: "COST_ESTIMATED_TOO_EXPENSIVE",
  /** Router demand control: the client spent its cost budget for the current window (HTTP 429). */
  COST_BUDGET_EXHAUSTED: "COST_BUDGET_EXHAUSTED",
  /** Router safelist: the operation is not in the persisted-operation manifest. */
  PERSISTED_QUERY_NOT_IN_LIST: "PERSISTED_QUERY_NOT_IN_LIST",
  /** Request shape the router refuses before GraphQL handles it (content type, JSON syntax, empty body). */
  BAD_REQUEST: "BAD_REQUEST",
  /** `operationName` names no operation of the document (Apollo's code for it). */
  OPERATION_RESOLUTION_FAILURE: "OPERATION_RESOLUTION_FAILURE",
  /** Operation limits (router): `extensions.limit: { measured, max }`. */
  MAX_DEPTH_LIMIT: "MAX_DEPTH_LIMIT",
  MAX_HEIGHT_LIMIT: "MAX_HEIGHT_LIMIT",
  MAX_ALIASES_LIMIT: "MAX_ALIASES_LIMIT",
  MAX_ROOT_FIELDS_LIMIT: "MAX_ROOT_FIELDS_LIMIT",
  MAX_DIRECTIVES_LIMIT: "MAX_DIRECTIVES_LIMIT",
  MAX_SELECTIONS_LIMIT: "MAX_SELECTIONS_LIMIT",
  MAX_TOKENS_LIMIT: "MAX_TOKENS_LIMIT",
  MAX_RECURSION_LIMIT: "MAX_RECURSION_LIMIT",
  MAX_BATCH_SIZE_LIMIT: "MAX_BATCH_SIZE_LIMIT",
  MAX_BODY_BYTES_LIMIT: "MAX_BODY_BYTES_LIMIT",
  /** Router subscriptions: too many open at once on one connection or for one caller (`limit: { measured, max, scope }`). */
  MAX_SUBSCRIPTIONS_LIMIT: "MAX_SUBSCRIPTIONS_LIMIT",
  /** Router subscriptions: the subscriber did not read its events fast enough; the stream was closed instead of buffered. */
  SLOW_CONSUMER: "SLOW_CONSUMER",
  /** The server is shutting down: the stream was closed; reconnect (to another instance). */
  SHUTTING_DOWN: "SHUTTING_DOWN",
  /** A service call failed before an answer: connection refused, reset, or the host is unknown (`serviceName`, `reason`). */
  SUBGRAPH_UNAVAILABLE: "SUBGRAPH_UNAVAILABLE",
  /** A service call got no answer within its timeout. */
  SUBGRAPH_TIMEOUT: "SUBGRAPH_TIMEOUT",
  /** A service's circuit breaker is open after repeated failures: the call was not made. */
  SUBGRAPH_CIRCUIT_OPEN: "SUBGRAPH_CIRCUIT_OPEN",
  /** A service answered a non-2xx status (or a body that is not a GraphQL response). */
  SUBGRAPH_HTTP_ERROR: "SUBGRAPH_HTTP_ERROR",
  /** The router's overall request deadline passed (HTTP 504); subgraph calls still in flight were aborted. */
  GATEWAY_TIMEOUT: "GATEWAY_TIMEOUT",
  /**
   * The operation uses `@defer` and the request cannot take an incremental response: its Accept header does not
   * allow `multipart/mixed; deferSpec=20220824` (HTTP 406, `reason: ACCEPT`) or it is part of a batch (400, `reason: BATCH`).
   */
  INCREMENTAL_DELIVERY_NOT_ACCEPTED: "INCREMENTAL_DELIVERY_NOT_ACCEPTED",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Why a call to another service failed (see `@commerce/resilience`); clients get partial data with these codes. */
export type SubgraphFailureCode = Extract<ErrorCode, `SUBGRAPH_${string}`>;

/** The operation limits the router enforces; each names its `extensions.code`. */
export type LimitCode = Extract<ErrorCode, `MAX_${string}_LIMIT`>;

function coded(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  status?: number,
  headers?: ReadonlyMap<string, string>,
): GraphQLError {
  const http = status ? { http: { status, ...(headers ? { headers: new Map(headers) } : {}) } } : {};
  return new GraphQLError(message, { extensions: { code, ...extensions, ...http } });
}

/**
 * Missing, malformed, expired or revoked credentials. No HTTP status unless `status` is given: a resolver's error
 * must stay a GraphQL error in a 200 response (the gateway treats a subgraph's non-2xx as a failed fetch). A
 * request-level refusal passes 401, or marks an error a shared function raised with `withHttpStatus(error, 401)`.
 */
export function unauthenticated(
  message = "You must be signed in to do this.",
  reason?: string,
  status?: number,
): GraphQLError {
  return coded(ErrorCode.UNAUTHENTICATED, message, reason ? { reason } : {}, status);
}

/** Signed in, but not allowed. */
export function forbidden(
  message = "You are not allowed to do this.",
  details: Record<string, unknown> = {},
): GraphQLError {
  return coded(ErrorCode.FORBIDDEN, message, details);
}

/** An argument the caller can fix; `field` names the argument (dot path for input fields). */
export function badUserInput(message: string, field?: string, details: Record<string, unknown> = {}): GraphQLError {
  return coded(ErrorCode.BAD_USER_INPUT, message, { ...(field ? { field } : {}), ...details });
}

/** A mutation targeted an entity that does not exist. Nullable lookups return null instead. */
export function notFound(type: string, id: string): GraphQLError {
  return coded(ErrorCode.NOT_FOUND, `${type} ${id} does not exist.`, { type, id });
}

/** The request conflicts with existing state (e.g. a unique value already taken). */
export function conflict(message: string, field?: string): GraphQLError {
  return coded(ErrorCode.CONFLICT, message, field ? { field } : {});
}

/**
 * An operation limit was exceeded: HTTP 400 (413 for the body size), `extensions.limit: { measured, max }`.
 * `measured` is a lower bound when counting stopped early.
 */
export function limitExceeded(
  code: LimitCode,
  details: { measured: number; max: number },
  message: string,
  status = 400,
): GraphQLError {
  return coded(code, message, { limit: { measured: details.measured, max: details.max } }, status);
}

/** Too many subscriptions open at once on this connection or for this caller (`limit: { measured, max, scope }`). */
export function subscriptionLimitExceeded(details: {
  scope: "connection" | "caller";
  measured: number;
  max: number;
}): GraphQLError {
  return coded(
    ErrorCode.MAX_SUBSCRIPTIONS_LIMIT,
    `At most ${details.max} subscriptions may be open at once per ${details.scope}.`,
    {
      limit: { measured: details.measured, max: details.max, scope: details.scope },
    },
  );
}

/** The subscriber fell behind by more than `maxPending` events (or `maxBufferedBytes`): its stream was closed. */
export function slowConsumer(details: { pending: number; bufferedBytes: number }): GraphQLError {
  return coded(
    ErrorCode.SLOW_CONSUMER,
    "Events were not read fast enough; the subscription was closed. Subscribe again.",
    details,
  );
}

/** The server is stopping: open streams are closed so that clients reconnect to another instance. */
export function shuttingDown(): GraphQLError {
  return coded(ErrorCode.SHUTTING_DOWN, "The server is shutting down; subscribe again.");
}

/** A subscription sent as a plain HTTP request (HTTP 400): it needs a stream, WebSocket or Server-Sent Events. */
export function subscriptionNeedsStream(): GraphQLError {
  return badRequest(
    "Subscriptions are served over WebSocket (graphql-transport-ws) or Server-Sent Events (Accept: text/event-stream), not plain HTTP.",
    "SUBSCRIPTION_NEEDS_STREAM",
  );
}

/** The static cost estimate is above the maximum (HTTP 400, `extensions.cost: { estimated, max }`). */
export function costEstimatedTooExpensive(cost: { estimated: number; max: number }): GraphQLError {
  return coded(
    ErrorCode.COST_ESTIMATED_TOO_EXPENSIVE,
    `The operation's estimated cost (${cost.estimated}) is above the maximum of ${cost.max}.`,
    { cost: { estimated: cost.estimated, max: cost.max } },
    400,
  );
}

/** The client spent its cost budget for this window (HTTP 429 with Retry-After). */
export function costBudgetExhausted(budget: {
  estimated: number;
  remaining: number;
  budget: number;
  retryAfterSeconds: number;
}): GraphQLError {
  return coded(
    ErrorCode.COST_BUDGET_EXHAUSTED,
    `Your cost budget for this period is spent; retry in ${budget.retryAfterSeconds} s.`,
    {
      cost: { estimated: budget.estimated, remaining: budget.remaining, budget: budget.budget },
      retryAfterSeconds: budget.retryAfterSeconds,
    },
    429,
    new Map([["retry-after", String(budget.retryAfterSeconds)]]),
  );
}

/** A field or type the caller is not authorized for; `path` is the response path (`@` stands for list items). */
export function unauthorizedFieldOrType(
  path: readonly (string | number)[],
  coordinate: string,
  status?: number,
): GraphQLError {
  return new GraphQLError(`Unauthorized field or type: ${coordinate}.`, {
    path,
    extensions: {
      code: ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE,
      field: coordinate,
      ...(status ? { http: { status } } : {}),
    },
  });
}

/**
 * The operation selects fields or types the caller may not see and is refused whole (`AUTHORIZATION_MODE=reject`):
 * HTTP 403, `extensions.fields` lists their coordinates.
 */
export function unauthorizedOperation(coordinates: readonly string[]): GraphQLError {
  return coded(
    ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE,
    "The operation selects fields or types you are not authorized for.",
    { fields: [...coordinates] },
    403,
  );
}

/** The request's `operationName` names no operation of its document, or names none of several (HTTP 400). */
export function unknownOperation(operationName: string | null | undefined): GraphQLError {
  const message = operationName
    ? `Unknown operation named "${operationName}".`
    : "Must provide operation name if query contains multiple operations.";
  return coded(ErrorCode.OPERATION_RESOLUTION_FAILURE, message, {}, 400);
}

/** A request that cannot be read as GraphQL (content type, JSON syntax): HTTP 400 unless `status`, `extensions.reason`. */
export function badRequest(message: string, reason: string, status = 400): GraphQLError {
  return coded(ErrorCode.BAD_REQUEST, message, { reason }, status);
}

/**
 * Anything unexpected. In production its message is masked ("Internal server error.") and it is logged with the
 * request id; `status` for a request-level failure (503 while a part of the service is not ready, 500).
 */
export function internalServerError(
  message = "Internal server error.",
  { status, originalError }: { status?: number; originalError?: Error } = {},
): GraphQLError {
  const http = status ? { http: { status } } : {};
  return new GraphQLError(message, {
    ...(originalError ? { originalError } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...http },
  });
}

/**
 * A subgraph's error whose code is not one of ours, forwarded as @apollo/gateway forwards it: its message, path
 * and extensions (its own code included) as given, with `serviceName` among them. Never remapped.
 */
export function forwardedSubgraphError(message: string, options: GraphQLErrorOptions): GraphQLError {
  return new GraphQLError(message, options);
}

/** Safelisting is on and the operation is not in the persisted-operation manifest (HTTP 400). */
export function persistedQueryNotInList(): GraphQLError {
  return coded(
    ErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
    "This operation is not in the list of persisted operations.",
    {},
    400,
  );
}

/** What a failed service call reports: the service, the code and a short, client-safe cause (`connection refused`). */
export interface SubgraphFailureDetails {
  code: SubgraphFailureCode;
  serviceName: string;
  /** Short and free of internal details (no addresses): `connection refused`, `no answer within 5000 ms`, `HTTP 503`. */
  reason: string;
}

const SUBGRAPH_FAILURE_MESSAGES: Readonly<
  Record<SubgraphFailureCode, (serviceName: string, reason: string) => string>
> = {
  SUBGRAPH_UNAVAILABLE: (name, reason) => `The ${name} service is unavailable (${reason}).`,
  SUBGRAPH_TIMEOUT: (name, reason) => `The ${name} service did not answer in time (${reason}).`,
  SUBGRAPH_CIRCUIT_OPEN: (name) => `The ${name} service is failing; calls to it are paused for a moment.`,
  SUBGRAPH_HTTP_ERROR: (name, reason) => `The ${name} service answered with an error (${reason}).`,
};

/**
 * A call to another service failed (`extensions: { code, serviceName, reason }`). No HTTP status: at the router it is
 * partial data in a 200 response, at the path of the fields that service would have resolved (`path`).
 */
export function subgraphFailed(
  { code, serviceName, reason }: SubgraphFailureDetails,
  path?: readonly (string | number)[],
): GraphQLError {
  return new GraphQLError(SUBGRAPH_FAILURE_MESSAGES[code](serviceName, reason), {
    ...(path ? { path } : {}),
    extensions: { code, serviceName, reason },
  });
}

/** The router's request deadline passed (HTTP 504, `extensions.timeoutMs`). */
export function gatewayTimeout(timeoutMs: number): GraphQLError {
  return coded(ErrorCode.GATEWAY_TIMEOUT, `The request did not complete within ${timeoutMs} ms.`, { timeoutMs }, 504);
}

/** Why a request with `@defer` was refused: see `ErrorCode.INCREMENTAL_DELIVERY_NOT_ACCEPTED`. */
export function incrementalDeliveryNotAccepted(reason: "ACCEPT" | "BATCH", mediaType: string): GraphQLError {
  return reason === "ACCEPT"
    ? coded(
        ErrorCode.INCREMENTAL_DELIVERY_NOT_ACCEPTED,
        `This operation uses @defer: its response comes in parts, as ${mediaType}; send \`Accept: ${mediaType}, application/json\`.`,
        { reason, accept: mediaType },
        406,
      )
    : coded(
        ErrorCode.INCREMENTAL_DELIVERY_NOT_ACCEPTED,
        "Operations with @defer cannot be sent in a batch: send them on their own.",
        { reason },
        400,
      );
}

/**
 * Marks an error a shared function raised (a token that does not verify) with the HTTP status of the request-level
 * refusal it becomes (a context's 401). Errors built here take their status from their factory instead.
 */
export function withHttpStatus<E>(error: E, status: number): E {
  if (error instanceof GraphQLError) Object.assign(error.extensions, { http: { status } });
  return error;
}

/** The HTTP status an error was given here (`extensions.http.status`), if any. */
export function httpStatusOf(error: GraphQLError): number | undefined {
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}

/** True when `error` is a GraphQLError carrying one of our codes (so it is safe to show as is). */
export function isCodedError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions?.code;
  return typeof code === "string" && code !== ErrorCode.INTERNAL_SERVER_ERROR && code in ErrorCode;
}
