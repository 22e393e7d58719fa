import type { DocumentNode, GraphQLError, GraphQLSchema } from "graphql";
import { limitExceeded, type LimitCode } from "@commerce/common";
import { measureOperation, type DepthIgnore, type OperationMeasurements } from "./measureOperation.js";
import { measureSource, type SourceMeasurements } from "./measureSource.js";

/** Every operation limit, by the name used in config, errors and logs. */
export interface OperationLimits {
  /** Deepest field nesting (root fields are depth 0). @default 12 */
  maxDepth: number;
  /** Distinct `Type.field` coordinates in the operation. @default 200 */
  maxHeight: number;
  /** Aliased selections, fragments expanded. @default 30 */
  maxAliases: number;
  /** Fields at the root of the operation. @default 20 */
  maxRootFields: number;
  /** Directive applications, fragments expanded. @default 50 */
  maxDirectives: number;
  /** Field selections with every fragment expanded (catches fragment bombs and duplicated fields). @default 2000 */
  maxSelections: number;
  /** Lexical tokens in the document. @default 15000 */
  maxTokens: number;
  /** Nesting of `{ [ (` in the document: parser recursion. @default 100 */
  maxRecursion: number;
  /** Operations in one batched HTTP request. @default 10 */
  maxBatchSize: number;
  /** Bytes of a request body. Always enforced (the body parser refuses it): HTTP 413. @default 1048576 */
  maxBodyBytes: number;
}

export const DEFAULT_OPERATION_LIMITS: Readonly<OperationLimits> = Object.freeze({
  maxDepth: 12,
  maxHeight: 200,
  maxAliases: 30,
  maxRootFields: 20,
  maxDirectives: 50,
  maxSelections: 2_000,
  maxTokens: 15_000,
  maxRecursion: 100,
  maxBatchSize: 10,
  maxBodyBytes: 1_048_576,
});

/** `enforce` refuses an operation over a limit; `warn` only reports it (logs and `extensions.limitWarnings`). */
export type LimitMode = "enforce" | "warn";

/** One limit with what an operation measured against it (exceeded when `measured > max`). */
export interface LimitViolation {
  limit: keyof OperationLimits;
  code: LimitCode;
  measured: number;
  max: number;
}

type OperationLimitName = "maxDepth" | "maxHeight" | "maxAliases" | "maxRootFields" | "maxDirectives" | "maxSelections";
type SourceLimitName = "maxTokens" | "maxRecursion";

const OPERATION_CHECKS: readonly [keyof OperationMeasurements, OperationLimitName, LimitCode, string][] = [
  ["depth", "maxDepth", "MAX_DEPTH_LIMIT", "is nested deeper than"],
  ["height", "maxHeight", "MAX_HEIGHT_LIMIT", "selects more distinct fields than"],
  ["aliases", "maxAliases", "MAX_ALIASES_LIMIT", "uses more aliases than"],
  ["rootFields", "maxRootFields", "MAX_ROOT_FIELDS_LIMIT", "selects more root fields than"],
  ["directives", "maxDirectives", "MAX_DIRECTIVES_LIMIT", "applies more directives than"],
  ["selections", "maxSelections", "MAX_SELECTIONS_LIMIT", "expands to more field selections than"],
];
const SOURCE_CHECKS: readonly [keyof SourceMeasurements, SourceLimitName, LimitCode, string][] = [
  ["tokens", "maxTokens", "MAX_TOKENS_LIMIT", "has more tokens than"],
  ["nesting", "maxRecursion", "MAX_RECURSION_LIMIT", "nests brackets deeper than"],
];
const PHRASES = new Map<LimitCode, string>(
  [...OPERATION_CHECKS, ...SOURCE_CHECKS].map(([, , code, phrase]) => [code, phrase]),
);

/** Limits on the raw source (tokens, parser recursion), checked before parsing. Pure; linear in the source length. */
export function checkSourceLimits(source: string, limits: Pick<OperationLimits, SourceLimitName>): LimitViolation[] {
  const measured = measureSource(source, { stopAfter: Math.max(limits.maxTokens, limits.maxRecursion) * 4 });
  return SOURCE_CHECKS.flatMap(([key, limit, code]) =>
    measured[key] > limits[limit] ? [{ limit, code, measured: measured[key], max: limits[limit] }] : [],
  );
}

export interface CheckOperationLimitsOptions {
  operationName?: string | null | undefined;
  /** For `Type.field` coordinates in the height. */
  schema?: GraphQLSchema | undefined;
  /** Fields whose subtrees the depth does not count. @default [] */
  ignoreDepth?: readonly DepthIgnore[];
}

/**
 * Every limit on the parsed document (depth, height, aliases, root fields, directives, selections) with what the
 * operation measures against it, over or not (a schema check shows them all). Pure; linear.
 */
export function measureOperationLimits(
  document: DocumentNode,
  limits: Pick<OperationLimits, OperationLimitName>,
  { operationName, schema, ignoreDepth = [] }: CheckOperationLimitsOptions = {},
): LimitViolation[] {
  const measured = measureOperation(document, { operationName, schema, ignore: ignoreDepth });
  return OPERATION_CHECKS.map(([key, limit, code]) => ({ limit, code, measured: measured[key], max: limits[limit] }));
}

/** The limits on the parsed document that the operation exceeds (`measureOperationLimits` over its max). */
export function checkOperationLimits(
  document: DocumentNode,
  limits: Pick<OperationLimits, OperationLimitName>,
  options: CheckOperationLimitsOptions = {},
): LimitViolation[] {
  return measureOperationLimits(document, limits, options).filter(({ measured, max }) => measured > max);
}

/** The number of operations in a batched request body (0 when it is not a batch). */
function batchSize(body: unknown): number {
  return Array.isArray(body) ? body.length : 0;
}

/** A batch larger than the limit, or none. */
export function checkBatchSize(
  body: unknown,
  limits: Pick<OperationLimits, "maxBatchSize">,
): LimitViolation | undefined {
  const size = batchSize(body);
  return size > limits.maxBatchSize
    ? { limit: "maxBatchSize", code: "MAX_BATCH_SIZE_LIMIT", measured: size, max: limits.maxBatchSize }
    : undefined;
}

/** The client-facing error of a violation: HTTP 400, `extensions.code` naming the limit, `extensions.limit: { measured, max }`. */
export function limitError(violation: LimitViolation): GraphQLError {
  const phrase =
    PHRASES.get(violation.code) ??
    (violation.code === "MAX_BATCH_SIZE_LIMIT" ? "batches more operations than" : "exceeds");
  const subject = violation.code === "MAX_BATCH_SIZE_LIMIT" ? "The request" : "The operation";
  return limitExceeded(
    violation.code,
    violation,
    `${subject} ${phrase} the maximum of ${violation.max} (${violation.measured}).`,
  );
}
