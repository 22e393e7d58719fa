import { parse, type GraphQLSchema } from "graphql";
import type { DepthIgnore } from "./measureOperation.js";
import { checkBatchSize, checkOperationLimits, checkSourceLimits, type LimitViolation, type OperationLimits } from "./operationLimits.js";

/** One GraphQL request as the HTTP host hands it over: a JSON body (possibly a batch) or GET parameters. */
export interface GraphQLHttpPayload {
  body?: unknown;
  /** GET query-string parameters (`query`, `operationName`). */
  query?: unknown;
}

export interface CheckRequestLimitsOptions {
  /** For `Type.field` coordinates in the height; without it, fields are told apart by path. */
  schema?: GraphQLSchema | undefined;
  ignoreDepth?: readonly DepthIgnore[];
}

/**
 * Every operation limit of one HTTP request, before Apollo parses, validates or plans anything: batch size, then
 * for each operation the source limits (tokens, parser recursion, on the raw text) and, only when those pass, the
 * document limits on a parse bounded by `maxTokens`. A document that does not parse is left to Apollo, which
 * reports the syntax error. Pure; time linear in the request size. Returns the violations, in request order.
 */
export function checkRequestLimits(payload: GraphQLHttpPayload, limits: OperationLimits, options: CheckRequestLimitsOptions = {}): LimitViolation[] {
  const batch = checkBatchSize(payload.body, limits);
  if (batch) return [batch];
  const operations = Array.isArray(payload.body) ? payload.body : [payload.body ?? payload.query];
  const violations: LimitViolation[] = [];
  for (const operation of operations) {
    const { query, operationName } = (typeof operation === "object" && operation !== null ? operation : {}) as { query?: unknown; operationName?: unknown };
    if (typeof query !== "string") continue;
    const source = checkSourceLimits(query, limits);
    if (source.length > 0) {
      violations.push(...source);
      continue;
    }
    let document;
    try {
      document = parse(query, { noLocation: true, maxTokens: limits.maxTokens });
    } catch {
      continue;
    }
    violations.push(
      ...checkOperationLimits(document, limits, {
        operationName: typeof operationName === "string" ? operationName : undefined,
        schema: options.schema,
        ignoreDepth: options.ignoreDepth ?? [],
      }),
    );
  }
  return violations;
}
