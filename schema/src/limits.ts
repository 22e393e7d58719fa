import { Supergraph, operationFromDocument } from "@apollo/federation-internals";
import { QueryPlanner } from "@apollo/query-planner";
import {
  checkSourceLimits,
  estimateCost,
  estimatePlanCost,
  loadAnalysisSettings,
  measureOperationLimits,
  prepareSupergraph,
  readSupergraphMetadata,
  type CostDirectives,
  type CostedQueryPlan,
  type OperationLimits,
} from "@commerce/analysis";
import {
  Kind,
  isInputType,
  parse,
  print,
  typeFromAST,
  valueFromAST,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
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

export interface RouterLimitsOptions {
  /** The environment the router would run with; only its limit and cost variables are used. @default {} (defaults) */
  env?: Readonly<Record<string, string | undefined>>;
  /** Replace some of the router's limits (tests; `--max-cost`, `--max-depth`). */
  overrides?: { maxCost?: number; maxDepth?: number };
}

/**
 * The router's own limit checks and numbers, from @commerce/analysis: its settings (`loadAnalysisSettings`, from the
 * limit and cost variables of `env`), its operation limits and both its cost estimates (document and plan, with
 * `@cost`/`@listSize` read from the supergraph as the router reads them). Variables an operation leaves out take
 * their declared defaults. A limit the router only warns about (`LIMITS_MODE=warn`, `COST_MODE=measure`) is
 * measured but not enforced. Throws a ConfigError when a variable of `env` is invalid, as the router would.
 */
export function createRouterLimits({ env = {}, overrides = {} }: RouterLimitsOptions = {}): OperationLimitsProvider {
  const settings = loadAnalysisSettings(env);
  const limits: OperationLimits = { ...settings.limits, maxDepth: overrides.maxDepth ?? settings.limits.maxDepth };
  const maxCost = overrides.maxCost ?? settings.cost.max;
  const limitsEnforced = settings.limitsMode === "enforce";
  const costEnforced = settings.cost.mode === "enforce";
  const { defaultListSize, entityFetchWeight } = settings.cost;
  const source = [
    `router operation limits (max depth ${limits.maxDepth}${limitsEnforced ? "" : ", warn mode"})`,
    `router cost estimator (max cost ${maxCost}${costEnforced ? "" : ", measure mode"})`,
    `router plan cost (entity fetch weight ${entityFetchWeight})`,
  ].join("; ");

  const directivesBySdl = new Map<string, CostDirectives>();
  const plannersBySdl = new Map<string, Planner>();
  return {
    source,
    measure(operation, { apiSchema, supergraphSdl }) {
      const options = { operationName: operation.name, schema: apiSchema };
      const results: LimitMeasurement[] = measureOperationLimits(operation.document, limits, options).map(
        ({ limit, measured, max }) => ({
          limit,
          measured,
          max,
          exceeded: measured > max,
          enforced: limitsEnforced,
        }),
      );
      for (const v of checkSourceLimits(print(operation.document), limits))
        results.push({ ...v, exceeded: true, enforced: limitsEnforced });

      let directives = directivesBySdl.get(supergraphSdl);
      if (!directives)
        directivesBySdl.set(supergraphSdl, (directives = readSupergraphMetadata(parse(supergraphSdl)).cost));
      const costOptions = {
        operationName: operation.name,
        variables: variableDefaults(apiSchema, operation.document),
        directives,
        defaultListSize,
        entityFetchWeight,
      };
      const estimated = estimateCost(apiSchema, operation.document, costOptions);
      results.push({
        limit: "maxCost",
        measured: estimated,
        max: maxCost,
        exceeded: estimated > maxCost,
        enforced: costEnforced,
      });
      let planner = plannersBySdl.get(supergraphSdl);
      if (!planner) plannersBySdl.set(supergraphSdl, (planner = plannerOf(prepareSupergraph(supergraphSdl).sdl)));
      try {
        const plan = planner.plan(operation.document, operation.name);
        const planned = estimatePlanCost(apiSchema, operation.document, plan, costOptions);
        results.push({
          limit: "maxPlanCost",
          measured: planned,
          max: maxCost,
          exceeded: planned > maxCost,
          enforced: costEnforced,
        });
      } catch (error) {
        // The gateway would fail to plan it too: the client gets an error, not data.
        const problem = `no query plan: ${error instanceof Error ? error.message : String(error)}`;
        results.push({ limit: "maxPlanCost", max: maxCost, exceeded: true, enforced: costEnforced, problem });
      }
      return results;
    },
  };
}

interface Planner {
  plan(document: DocumentNode, operationName: string | undefined): CostedQueryPlan;
}

/** A query planner over `sdl` (the supergraph as the gateway prepares it), as @apollo/gateway builds one. */
function plannerOf(sdl: string): Planner {
  const supergraph = Supergraph.build(sdl);
  const apiSchema = supergraph.apiSchema();
  const planner = new QueryPlanner(supergraph);
  return {
    plan: (document, operationName) =>
      planner.buildQueryPlan(operationFromDocument(apiSchema, document, operationName ? { operationName } : {})),
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
