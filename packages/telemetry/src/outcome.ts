/** Why an operation was refused before (or instead of) running. Bounded: anything else is "other". */
export const REJECTION_REASONS = ["depth", "limit", "cost", "auth", "rate", "safelist", "other"] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/**
 * How an operation ended: `success` (no errors), `partial` (data and errors), `error` (errors, no
 * data), `invalid` (the document did not parse or validate), `rejected` (refused by a policy).
 */
export type OperationOutcome = "success" | "partial" | "error" | "invalid" | "rejected";

/** The part of a (formatted) GraphQL error the classification reads. */
export interface ErrorLike {
  extensions?: Readonly<Record<string, unknown>> | undefined;
}

const BY_CODE: Readonly<Record<string, RejectionReason>> = {
  UNAUTHENTICATED: "auth",
  FORBIDDEN: "auth",
  UNAUTHORIZED_FIELD_OR_TYPE: "auth",
  COST_LIMIT_EXCEEDED: "cost",
  COST_ESTIMATED_TOO_EXPENSIVE: "cost",
  COST_BUDGET_EXHAUSTED: "rate",
  RATE_LIMITED: "rate",
  TOO_MANY_REQUESTS: "rate",
  PERSISTED_QUERY_NOT_IN_LIST: "safelist",
  OPERATION_NOT_IN_SAFELIST: "safelist",
  PERSISTED_QUERY_NOT_SUPPORTED: "safelist",
  MAX_DEPTH_LIMIT: "depth",
};

/**
 * The policy that refused a request, read from one error's `extensions.code`.
 * Errors coming back from a subgraph (`serviceName` set) are results, not router rejections.
 */
export function rejectionReasonOf(error: ErrorLike): RejectionReason | undefined {
  const ext = error.extensions ?? {};
  if (typeof ext.serviceName === "string") return undefined;
  const code = ext.code;
  if (typeof code !== "string") return undefined;
  const reason = BY_CODE[code];
  if (reason) return reason;
  if (/_LIMIT_EXCEEDED$|^MAX_|_TOO_(LARGE|MANY|DEEP)$/.test(code)) return "limit";
  if (/^COST_/.test(code)) return "cost";
  if (/RATE_LIMIT|BUDGET/.test(code)) return "rate";
  if (/SAFELIST/.test(code)) return "safelist";
  return undefined;
}

const INVALID_CODES: ReadonlySet<string> = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
]);

/** Classifies a finished response. `hasData` is false when `data` is absent or null. */
export function classifyOutcome(
  errors: readonly ErrorLike[] | undefined,
  hasData: boolean,
): { outcome: OperationOutcome; rejection?: RejectionReason } {
  if (!errors || errors.length === 0) return { outcome: "success" };
  const rejection = errors.map(rejectionReasonOf).find((reason) => reason !== undefined);
  if (hasData) return rejection ? { outcome: "partial", rejection } : { outcome: "partial" };
  if (rejection) return { outcome: "rejected", rejection };
  const invalid = errors.every((e) => INVALID_CODES.has(String(e.extensions?.code)));
  return { outcome: invalid ? "invalid" : "error" };
}

/** The error codes of a response, for logs (bounded to the first few). */
export function errorCodesOf(errors: readonly ErrorLike[] | undefined, max = 5): string[] {
  return (errors ?? []).slice(0, max).map((e) => String(e.extensions?.code ?? "NO_CODE"));
}

/**
 * The subgraphs that failed this operation, for its log line: one entry per subgraph and code (a failed entity fetch
 * reports an error per entity), with the cause when the router named one (`reason: "connection refused"`).
 */
export function subgraphErrorsOf(
  errors: readonly ErrorLike[] | undefined,
  max = 5,
): Array<{ subgraph: string; code: string; reason?: string }> {
  const seen = new Map<string, { subgraph: string; code: string; reason?: string }>();
  for (const error of errors ?? []) {
    const ext = error.extensions ?? {};
    if (typeof ext.serviceName !== "string") continue;
    const code = String(ext.code ?? "NO_CODE");
    const key = `${ext.serviceName} ${code}`;
    if (seen.has(key)) continue;
    seen.set(key, {
      subgraph: ext.serviceName,
      code,
      ...(typeof ext.reason === "string" ? { reason: ext.reason } : {}),
    });
    if (seen.size >= max) break;
  }
  return [...seen.values()];
}
