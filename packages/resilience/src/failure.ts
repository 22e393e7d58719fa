import { BrokenCircuitError, IsolatedCircuitError, TaskCancelledError } from "cockatiel";
import { ErrorCode, type SubgraphFailureCode } from "@commerce/common";

/** A non-2xx answer. Throw it from a call for the policy to classify (`SUBGRAPH_HTTP_ERROR`). */
export class HttpStatusError extends Error {
  override name = "HttpStatusError";
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** What a policy knows about one failed attempt. */
export interface CallFailureInit {
  code: SubgraphFailureCode;
  /** Short and client-safe: `connection refused`, `no answer within 5000 ms`, `HTTP 503`. */
  reason: string;
  /** The HTTP status, for `SUBGRAPH_HTTP_ERROR`. */
  status?: number;
  /** Another attempt may succeed (the request surely did not reach the target, or the target said so). */
  retryable: boolean;
  /** Counts against the circuit breaker: the target is down, slow or failing, not the request. */
  trips: boolean;
  /** The caller gave up (its own deadline or abort): neither a failure of the target nor worth a retry. */
  cancelled?: boolean;
  cause?: unknown;
}

/**
 * A classified failure of a call through a policy: every error `CallPolicy.execute` throws for a failed call is one.
 * `code` is one of the four `SUBGRAPH_*` codes of `@commerce/common`; `subgraphFailed()` turns it into a GraphQL error.
 */
export class CallFailure extends Error {
  override name = "CallFailure";
  readonly code: SubgraphFailureCode;
  readonly reason: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly trips: boolean;
  readonly cancelled: boolean;
  /** Set by the policy: no retry may follow this attempt (the last one allowed). */
  lastAttempt = false;

  constructor({ code, reason, status, retryable, trips, cancelled = false, cause }: CallFailureInit) {
    super(reason, cause === undefined ? undefined : { cause });
    this.code = code;
    this.reason = reason;
    this.status = status;
    this.retryable = retryable;
    this.trips = trips;
    this.cancelled = cancelled;
  }
}

/** Socket-level error codes (Node and undici) that mean the target could not be reached or dropped the connection. */
const UNAVAILABLE_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  UND_ERR_SOCKET: "connection closed by the service",
  UND_ERR_CLOSED: "connection closed",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNABORTED: "connection aborted",
};
/** Errors thrown before anything was written to the target: a retry cannot repeat a side effect. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);
/** Statuses that say "try again" (a proxy or the service itself shedding load or restarting). */
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

/** The error code of `error` or of its causes (fetch wraps socket errors in `TypeError: fetch failed`). */
function systemCodeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Classifies what a call threw. `timeoutMs` names the limit in the reason; `cancelledBy` is the caller's signal
 * (an abort of it is a cancellation, not a failure of the target). Unknown errors are `SUBGRAPH_UNAVAILABLE` that
 * neither trip the breaker nor retry: the policy cannot tell whose fault they are.
 */
export function classifyFailure(
  error: unknown,
  { timeoutMs, cancelledBy }: { timeoutMs?: number; cancelledBy?: AbortSignal | undefined } = {},
): CallFailure {
  if (error instanceof CallFailure) return error;
  if (cancelledBy?.aborted) {
    return new CallFailure({
      code: ErrorCode.SUBGRAPH_TIMEOUT,
      reason: "cancelled by the caller",
      retryable: false,
      trips: false,
      cancelled: true,
      cause: error,
    });
  }
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
    return new CallFailure({
      code: ErrorCode.SUBGRAPH_CIRCUIT_OPEN,
      reason: "circuit open",
      retryable: false,
      trips: false,
      cause: error,
    });
  }
  if (error instanceof TaskCancelledError) {
    return new CallFailure({
      code: ErrorCode.SUBGRAPH_TIMEOUT,
      reason: timeoutMs ? `no answer within ${timeoutMs} ms` : "no answer in time",
      retryable: false,
      trips: true,
      cause: error,
    });
  }
  if (error instanceof HttpStatusError) {
    const { status } = error;
    return new CallFailure({
      code: ErrorCode.SUBGRAPH_HTTP_ERROR,
      reason: `HTTP ${status}`,
      status,
      retryable: RETRYABLE_STATUSES.has(status),
      // 4xx is about the request (or the credentials), not the health of the target; 429 is the target shedding load.
      trips: status >= 500 || status === 429,
      cause: error,
    });
  }
  const code = systemCodeOf(error);
  if (code && TIMEOUT_CODES.has(code)) {
    return new CallFailure({
      code: ErrorCode.SUBGRAPH_TIMEOUT,
      reason: code === "UND_ERR_CONNECT_TIMEOUT" ? "connect timeout" : "no answer in time",
      retryable: NOT_SENT.has(code),
      trips: true,
      cause: error,
    });
  }
  const reason = code ? UNAVAILABLE_REASONS[code] : undefined;
  if (code && reason)
    return new CallFailure({
      code: ErrorCode.SUBGRAPH_UNAVAILABLE,
      reason,
      retryable: true,
      trips: true,
      cause: error,
    });
  return new CallFailure({
    code: ErrorCode.SUBGRAPH_UNAVAILABLE,
    reason: "request failed",
    retryable: false,
    trips: false,
    cause: error,
  });
}
