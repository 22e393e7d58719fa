import { readEnv, type Env, type EnvReader } from "@commerce/common";
import { DEFAULT_OPERATION_LIMITS, type LimitMode, type OperationLimits } from "./limits/operationLimits.js";

const LIMIT_MODES = ["enforce", "warn"] as const;
const COST_MODES = ["enforce", "measure"] as const;

/** `enforce` refuses an operation estimated above the maximum; `measure` only reports its cost. */
export type CostMode = (typeof COST_MODES)[number];

/** Env var of each operation limit. */
export const LIMIT_VARIABLES: Readonly<Record<keyof OperationLimits, string>> = {
  maxDepth: "MAX_QUERY_DEPTH",
  maxHeight: "MAX_QUERY_HEIGHT",
  maxAliases: "MAX_ALIASES",
  maxRootFields: "MAX_ROOT_FIELDS",
  maxDirectives: "MAX_DIRECTIVES",
  maxSelections: "MAX_SELECTIONS",
  maxTokens: "MAX_TOKENS",
  maxRecursion: "MAX_PARSER_RECURSION",
  maxBatchSize: "MAX_BATCH_SIZE",
  maxBodyBytes: "MAX_BODY_BYTES",
};

/** The static cost model's settings. */
export interface CostSettings {
  /** `COST_MODE`. @default "enforce" */
  readonly mode: CostMode;
  /** `COST_MAX`: the highest estimated cost (document and plan) an operation may have. @default 1000 */
  readonly max: number;
  /** `COST_DEFAULT_LIST_SIZE`: size of a list without `@listSize` or slicing argument. @default 10 */
  readonly defaultListSize: number;
  /** `COST_ENTITY_FETCH_WEIGHT`: cost of each entity fetch of a query plan. @default 1 */
  readonly entityFetchWeight: number;
}

/** How operations are limited and costed: what the router enforces, and what the schema check measures against. */
export interface AnalysisSettings {
  /** `MAX_QUERY_DEPTH`, `MAX_ALIASES`, … (`LIMIT_VARIABLES`). @default DEFAULT_OPERATION_LIMITS */
  readonly limits: Readonly<OperationLimits>;
  /** `LIMITS_MODE`. @default "enforce" */
  readonly limitsMode: LimitMode;
  readonly cost: Readonly<CostSettings>;
}

/**
 * Reads the limit and cost variables with `read`, which collects the problems (so a service's config reports
 * them with its own). Nothing else of the environment is read.
 */
export function readAnalysisSettings(read: EnvReader): AnalysisSettings {
  const limits = {} as Record<keyof OperationLimits, number>;
  for (const [key, variable] of Object.entries(LIMIT_VARIABLES) as [keyof OperationLimits, string][]) {
    limits[key] = read.int(variable, DEFAULT_OPERATION_LIMITS[key], {
      min: key === "maxBatchSize" ? 0 : 1,
      max: key === "maxBodyBytes" ? 64 * 1024 * 1024 : 1_000_000,
    });
  }
  return Object.freeze({
    limits: Object.freeze(limits),
    limitsMode: read.oneOf("LIMITS_MODE", LIMIT_MODES, "enforce"),
    cost: Object.freeze({
      mode: read.oneOf("COST_MODE", COST_MODES, "enforce"),
      max: read.int("COST_MAX", 1_000, { min: 1 }),
      defaultListSize: read.int("COST_DEFAULT_LIST_SIZE", 10, { min: 1, max: 10_000 }),
      entityFetchWeight: read.int("COST_ENTITY_FETCH_WEIGHT", 1, { min: 0, max: 10_000 }),
    }),
  });
}

/** `readAnalysisSettings` over `env` on its own; throws one ConfigError (as the router's) listing every problem. */
export function loadAnalysisSettings(env: Env): AnalysisSettings {
  const read = readEnv("router", env);
  const settings = readAnalysisSettings(read);
  read.done();
  return settings;
}
