import {
  checkBatchSize,
  checkOperationLimits,
  checkSourceLimits,
  type DepthIgnore,
  type LimitViolation,
  type OperationLimits,
} from "@commerce/analysis";
import { parse, type GraphQLSchema } from "graphql";
import { LRUCache } from "lru-cache";

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
export function checkRequestLimits(
  payload: GraphQLHttpPayload,
  limits: OperationLimits,
  options: CheckRequestLimitsOptions = {},
): LimitViolation[] {
  return checkEachOperation(payload, limits, (query, operationName) =>
    checkOneOperation(query, operationName, limits, options),
  );
}

function checkEachOperation(
  payload: GraphQLHttpPayload,
  limits: OperationLimits,
  check: (query: string, operationName: string | undefined) => readonly LimitViolation[],
): LimitViolation[] {
  const batch = checkBatchSize(payload.body, limits);
  if (batch) return [batch];
  const operations = Array.isArray(payload.body) ? payload.body : [payload.body ?? payload.query];
  const violations: LimitViolation[] = [];
  for (const operation of operations) {
    const { query, operationName } = (typeof operation === "object" && operation !== null ? operation : {}) as {
      query?: unknown;
      operationName?: unknown;
    };
    if (typeof query !== "string") continue;
    violations.push(...check(query, typeof operationName === "string" ? operationName : undefined));
  }
  return violations;
}

function checkOneOperation(
  query: string,
  operationName: string | undefined,
  limits: OperationLimits,
  options: CheckRequestLimitsOptions,
): LimitViolation[] {
  const source = checkSourceLimits(query, limits);
  if (source.length > 0) return source;
  let document;
  try {
    document = parse(query, { noLocation: true, maxTokens: limits.maxTokens });
  } catch {
    return [];
  }
  return checkOperationLimits(document, limits, {
    operationName,
    schema: options.schema,
    ignoreDepth: options.ignoreDepth ?? [],
  });
}

export interface RequestLimitsCacheOptions {
  /** Operations whose outcome is kept. @default 2000 */
  max?: number;
  /** Total length of the documents kept, in characters. @default 8000000 */
  maxCharacters?: number;
}

/**
 * `checkRequestLimits` with the outcome of each operation (document text, operation name and schema) kept in a
 * bounded LRU: clients send the same documents again and again, and measuring one means lexing and parsing it.
 * Documents over a tenth of the budget are always measured afresh, so a few huge ones cannot flush the rest.
 */
export function cachedRequestLimits(
  limits: OperationLimits,
  { max = 2000, maxCharacters = 8_000_000 }: RequestLimitsCacheOptions = {},
): (payload: GraphQLHttpPayload, options?: CheckRequestLimitsOptions) => LimitViolation[] {
  const measured = new LRUCache<string, { schema: GraphQLSchema | undefined; violations: readonly LimitViolation[] }>({
    max,
    maxSize: maxCharacters,
    sizeCalculation: (_value, key) => key.length,
  });
  return (payload, options = {}) =>
    checkEachOperation(payload, limits, (query, operationName) => {
      if (query.length > maxCharacters / 10) return checkOneOperation(query, operationName, limits, options);
      const key = `${operationName ?? ""}\u0000${query}`;
      const known = measured.get(key);
      if (known && known.schema === options.schema) return known.violations;
      const violations = checkOneOperation(query, operationName, limits, options);
      measured.set(key, { schema: options.schema, violations });
      return violations;
    });
}
