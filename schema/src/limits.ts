import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Supergraph, operationFromDocument } from "@apollo/federation-internals";
import { QueryPlanner } from "@apollo/query-planner";
import { Kind, isInputType, parse, print, typeFromAST, validate, valueFromAST, type DocumentNode, type GraphQLSchema, type ValidationRule } from "graphql";
import { repoRoot } from "./compose.js";
import type { ClientOperation } from "./operations.js";
import type { LimitMeasurement } from "./result.js";

/** What the limits step needs of the schema an operation runs against. */
export interface LimitTarget {
  /** The API schema the router validates and costs operations against. */
  apiSchema: GraphQLSchema;
  /** The supergraph SDL (where `@cost` / `@listSize` live). */
  supergraphSdl: string;
}

/** Measures client operations against the limits the router enforces. The check depends on nothing else. */
export interface OperationLimitsProvider {
  /** Where the numbers come from, printed in the report. */
  source: string;
  /** One measurement per limit; `exceeded` means the router would refuse the operation. */
  measure(operation: ClientOperation, target: LimitTarget): LimitMeasurement[];
}

/** The router modules the limits come from. Imported at run time: schema/ must not compile router/ into its build. */
export const routerSourceDir = join(repoRoot, "router", "src");

type Violation = { limit: string; measured: number; max: number };
type FindOptions = { operationName?: string; schema?: GraphQLSchema };
interface LimitsModule {
  DEFAULT_OPERATION_LIMITS: Readonly<Record<string, number>>;
  checkOperationLimits(document: DocumentNode, limits: Record<string, number>, options: FindOptions): Violation[];
  checkSourceLimits(source: string, limits: Record<string, number>): Violation[];
}
interface MeasureModule {
  measureOperation(document: DocumentNode, options: FindOptions): Record<string, number>;
}
interface CostModule {
  estimateCost(schema: GraphQLSchema, document: DocumentNode, options: Record<string, unknown>): number;
}
interface PlanCostModule {
  estimatePlanCost(schema: GraphQLSchema, document: DocumentNode, plan: unknown, options: Record<string, unknown>): number;
}
interface MetadataModule {
  readSupergraphMetadata(document: DocumentNode): { cost: unknown };
  /** What the gateway plans over (absent in older routers: the supergraph as is). */
  prepareSupergraph?(sdl: string): { sdl: string };
}
interface DepthModule {
  depthLimitRule(options: { maxDepth: number }): ValidationRule;
}
/** The parts of the router's `RouterConfig` the limits come from. */
interface RouterLimitConfig {
  limits?: Readonly<Record<string, number>>;
  limitsMode?: string;
  maxQueryDepth?: number;
  cost?: { mode?: string; max?: number; defaultListSize?: number; entityFetchWeight?: number };
}
interface ConfigModule {
  loadConfig(env: Record<string, string | undefined>): RouterLimitConfig;
}

/** Which measurement each router limit bounds (the router's `OperationLimits` keys). */
const MEASURED_BY: Readonly<Record<string, string>> = {
  maxDepth: "depth",
  maxHeight: "height",
  maxAliases: "aliases",
  maxRootFields: "rootFields",
  maxDirectives: "directives",
  maxSelections: "selections",
};
/** The router's env vars for limits and cost; nothing else of the environment reaches its config here. */
const LIMIT_ENV = /^(MAX_[A-Z_]+|COST_[A-Z_]+|LIMITS_MODE)$/;
/** The router's demand-control plugin default (not in its config). */
const MUTATION_COST = 10;

async function importRouter<T>(file: string, exports: readonly string[]): Promise<T | undefined> {
  try {
    const module = (await import(pathToFileURL(join(routerSourceDir, file)).href)) as Record<string, unknown>;
    return exports.every((name) => module[name] !== undefined) ? (module as T) : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw error;
  }
}

export interface RouterLimitsOptions {
  /** The environment the router would run with; only its limit and cost variables are used. @default {} (defaults) */
  env?: Readonly<Record<string, string | undefined>>;
  /** Replace some of the router's limits (tests; `--max-cost`, `--max-depth`). */
  overrides?: { maxCost?: number; maxDepth?: number };
}

/**
 * The router's own limit checks and numbers: its config (`loadConfig`, from the limit and cost variables of `env`),
 * its operation limits (`router/src/limits/`), its static cost estimator (`router/src/demandControl/estimateCost.ts`,
 * with `@cost`/`@listSize` read from the supergraph as the router reads them), or, where those are absent, its depth
 * validation rule. Variables an operation leaves out take their declared defaults, as in the router. A limit the
 * router only warns about (`LIMITS_MODE=warn`, `COST_MODE=measure`) is measured but not enforced.
 */
export async function loadRouterLimits({ env = {}, overrides = {} }: RouterLimitsOptions = {}): Promise<OperationLimitsProvider> {
  const limits = await importRouter<LimitsModule>("limits/operationLimits.ts", ["DEFAULT_OPERATION_LIMITS", "checkOperationLimits", "checkSourceLimits"]);
  const measure = await importRouter<MeasureModule>("limits/measureOperation.ts", ["measureOperation"]);
  const cost = await importRouter<CostModule>("demandControl/estimateCost.ts", ["estimateCost"]);
  const planCost = cost ? await importRouter<PlanCostModule>("demandControl/planCost.ts", ["estimatePlanCost"]) : undefined;
  const metadata = await importRouter<MetadataModule>("supergraph/metadata.ts", ["readSupergraphMetadata"]);
  const depth = limits ? undefined : await importRouter<DepthModule>("validation/depthLimit.ts", ["depthLimitRule"]);
  const configModule = await importRouter<ConfigModule>("config.ts", ["loadConfig"]);
  if (!limits && !depth) throw new Error(`no operation limits found in ${routerSourceDir} (limits/operationLimits.ts or validation/depthLimit.ts)`);

  const limitEnv = Object.fromEntries(Object.entries(env).filter(([name]) => LIMIT_ENV.test(name)));
  const config = configModule?.loadConfig({ ...limitEnv, NODE_ENV: "development" }) ?? {};
  const values: Record<string, number> = { ...(limits?.DEFAULT_OPERATION_LIMITS ?? {}), ...(config.limits ?? {}) };
  values.maxDepth = overrides.maxDepth ?? config.limits?.maxDepth ?? config.maxQueryDepth ?? values.maxDepth ?? 12;
  const maxCost = overrides.maxCost ?? config.cost?.max ?? 1000;
  const limitsEnforced = (config.limitsMode ?? "enforce") === "enforce";
  const costEnforced = (config.cost?.mode ?? "enforce") === "enforce";
  const defaultListSize = config.cost?.defaultListSize ?? 10;
  const entityFetchWeight = config.cost?.entityFetchWeight ?? 1;

  const parts = [limits ? `router operation limits (max depth ${values.maxDepth}${limitsEnforced ? "" : ", warn mode"})` : `router depth rule (max depth ${values.maxDepth}; no other limits)`];
  parts.push(cost ? `router cost estimator (max cost ${maxCost}${costEnforced ? "" : ", measure mode"})` : "no cost estimator in router/src/demandControl: cost not checked");
  if (cost) parts.push(planCost ? `router plan cost (entity fetch weight ${entityFetchWeight})` : "no plan cost in router/src/demandControl: plan cost not checked");
  if (!configModule) parts.push("router config not found: default limits");

  const directivesBySdl = new Map<string, unknown>();
  const plannersBySdl = new Map<string, Planner>();
  return {
    source: parts.join("; "),
    measure(operation, { apiSchema, supergraphSdl }) {
      const options = { operationName: operation.name, schema: apiSchema };
      const results: LimitMeasurement[] = [];
      if (limits) {
        const measured = measure?.measureOperation(operation.document, options) ?? {};
        const violations = new Map(limits.checkOperationLimits(operation.document, values, options).map((v) => [v.limit, v]));
        for (const [limit, key] of Object.entries(MEASURED_BY)) {
          const max = values[limit];
          if (max === undefined) continue;
          const violation = violations.get(limit);
          const value = violation?.measured ?? measured[key];
          results.push({ limit, ...(value !== undefined ? { measured: value } : {}), max, exceeded: violation !== undefined, enforced: limitsEnforced });
        }
        for (const v of limits.checkSourceLimits(print(operation.document), values)) results.push({ ...v, exceeded: true, enforced: limitsEnforced });
      } else if (depth) {
        const maxDepth = values.maxDepth ?? 12;
        const exceeded = validate(apiSchema, operation.document, [depth.depthLimitRule({ maxDepth })]).length > 0;
        results.push({ limit: "maxDepth", max: maxDepth, exceeded, enforced: true });
      }
      if (cost) {
        if (metadata && !directivesBySdl.has(supergraphSdl)) directivesBySdl.set(supergraphSdl, metadata.readSupergraphMetadata(parse(supergraphSdl)).cost);
        const costOptions = {
          operationName: operation.name,
          variables: variableDefaults(apiSchema, operation.document),
          directives: directivesBySdl.get(supergraphSdl),
          defaultListSize,
          mutationCost: MUTATION_COST,
          entityFetchWeight,
        };
        const estimated = cost.estimateCost(apiSchema, operation.document, costOptions);
        results.push({ limit: "maxCost", measured: estimated, max: maxCost, exceeded: estimated > maxCost, enforced: costEnforced });
        if (planCost) {
          let planner = plannersBySdl.get(supergraphSdl);
          if (!planner) plannersBySdl.set(supergraphSdl, (planner = plannerOf(metadata?.prepareSupergraph?.(supergraphSdl).sdl ?? supergraphSdl)));
          try {
            const plan = planner.plan(operation.document, operation.name);
            const planned = planCost.estimatePlanCost(apiSchema, operation.document, plan, costOptions);
            results.push({ limit: "maxPlanCost", measured: planned, max: maxCost, exceeded: planned > maxCost, enforced: costEnforced });
          } catch (error) {
            // The gateway would fail to plan it too: the client gets an error, not data.
            const problem = `no query plan: ${error instanceof Error ? error.message : String(error)}`;
            results.push({ limit: "maxPlanCost", max: maxCost, exceeded: true, enforced: costEnforced, problem });
          }
        }
      }
      return results;
    },
  };
}

interface Planner {
  plan(document: DocumentNode, operationName: string | undefined): unknown;
}

/** A query planner over `sdl` (the supergraph as the gateway prepares it), as @apollo/gateway builds one. */
function plannerOf(sdl: string): Planner {
  const supergraph = Supergraph.build(sdl);
  const apiSchema = supergraph.apiSchema();
  const planner = new QueryPlanner(supergraph);
  return {
    plan: (document, operationName) => planner.buildQueryPlan(operationFromDocument(apiSchema, document, operationName ? { operationName } : {})),
  };
}

/** The declared defaults of an operation's variables: what the router costs when the client leaves them out. */
export function variableDefaults(schema: GraphQLSchema, document: DocumentNode): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const type = typeFromAST(schema, variable.type);
      if (!variable.defaultValue || !type || !isInputType(type)) continue;
      const value = valueFromAST(variable.defaultValue, type);
      if (value !== undefined) values[variable.variable.name.value] = value;
    }
  }
  return values;
}
