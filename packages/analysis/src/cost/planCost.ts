import { Kind, parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { Estimator, estimateCost, type CostOptions } from "./estimateCost.js";

/**
 * The parts of a query plan (`@apollo/query-planner`'s `QueryPlan`, as @apollo/gateway resolves it) that cost
 * depends on. Structural, so a plan from the gateway or from a QueryPlanner built by a schema check both fit.
 */
export interface CostedQueryPlan {
  node?: CostedPlanNode | undefined;
}

export type CostedPlanNode =
  | { kind: "Fetch"; operation: string; operationDocumentNode?: DocumentNode | undefined }
  | { kind: "Flatten"; path: readonly (string | number)[]; node: CostedPlanNode }
  | { kind: "Sequence" | "Parallel"; nodes: readonly CostedPlanNode[] }
  | {
      kind: "Condition";
      condition: string;
      ifClause?: CostedPlanNode | undefined;
      elseClause?: CostedPlanNode | undefined;
    }
  | {
      kind: "Defer";
      primary: { node?: CostedPlanNode | undefined };
      deferred: readonly { node?: CostedPlanNode | undefined }[];
    }
  | { kind: "Subscription"; primary: CostedPlanNode; rest?: CostedPlanNode | undefined };

export interface PlanCostOptions extends CostOptions {
  /** Cost of each entity fetch (`_entities` call to a subgraph), on top of what it resolves. @default 1 */
  entityFetchWeight?: number;
}

const CAP = Number.MAX_SAFE_INTEGER;
// The gateway caches plans, so the same fetch node comes back request after request: parse its operation once.
const parsedFetches = new WeakMap<object, DocumentNode>();
const clamp = (n: number): number => Math.min(CAP, n);

/**
 * What the entity fetches of a query plan add to the operation's estimated cost. Each fetch under a `Flatten`
 * (an `_entities` call) costs `entityFetchWeight + representations × cost of one representation`, where
 * `representations` is the product of the estimated sizes of the lists on its path (the same list sizes as
 * `estimateCost`: slicing argument, `assumedSize` or the default) and one representation costs its entity type's
 * weight (1 by default) plus the own weight of each field the fetch selects directly on it (`@cost`, else 1 for
 * an object, 0 for a scalar; the dearest type when it fetches several). Deeper selections are already in the
 * operation's estimate, and fetches under them are counted on their own paths; root fetches add nothing.
 * A `Condition` follows its variable when given (else the dearer branch). Pure, like `estimateCost`.
 */
export function estimateEntityFetchCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  plan: CostedQueryPlan,
  options: PlanCostOptions = {},
): number {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = options.operationName
    ? operations.find((o) => o.name?.value === options.operationName)
    : operations[0];
  if (!operation || !plan.node) return 0;
  const paths = new Estimator(schema, document, options);
  const weight = options.entityFetchWeight ?? 1;
  const variables = options.variables ?? {};

  const visit = (node: CostedPlanNode | undefined, path: readonly (string | number)[] | undefined): number => {
    if (!node) return 0;
    switch (node.kind) {
      case "Fetch":
        return path ? clamp(weight + paths.itemsAlong(operation, path) * representationCost(schema, node, options)) : 0;
      case "Flatten":
        return visit(node.node, node.path);
      case "Sequence":
      case "Parallel":
        return clamp(node.nodes.reduce((sum, child) => sum + visit(child, path), 0));
      case "Condition": {
        const value = variables[node.condition];
        if (typeof value === "boolean") return visit(value ? node.ifClause : node.elseClause, path);
        return Math.max(visit(node.ifClause, path), visit(node.elseClause, path));
      }
      case "Defer":
        return clamp(node.deferred.reduce((sum, d) => sum + visit(d.node, path), visit(node.primary.node, path)));
      case "Subscription":
        return clamp(visit(node.primary, path) + visit(node.rest, path));
    }
  };
  return visit(plan.node, undefined);
}

/**
 * The plan-level estimated cost: the operation's estimate (`estimateCost`) plus what its entity fetches add
 * (`estimateEntityFetchCost`). Never below the operation's estimate, so an operation the document-level guard
 * lets through can only cost more once planned.
 */
export function estimatePlanCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  plan: CostedQueryPlan,
  options: PlanCostOptions = {},
): number {
  return clamp(estimateCost(schema, document, options) + estimateEntityFetchCost(schema, document, plan, options));
}

/** One representation of an entity fetch: the dearest `... on Type { … }` under `_entities`. */
function representationCost(
  schema: GraphQLSchema,
  fetch: { operation: string; operationDocumentNode?: DocumentNode | undefined },
  options: CostOptions,
): number {
  let document = fetch.operationDocumentNode ?? parsedFetches.get(fetch);
  if (!document) parsedFetches.set(fetch, (document = parse(fetch.operation)));
  const estimator = new Estimator(schema, document, options);
  let dearest = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const root of definition.selectionSet.selections) {
      if (root.kind !== Kind.FIELD || !root.selectionSet) continue;
      for (const selection of root.selectionSet.selections) {
        if (selection.kind === Kind.INLINE_FRAGMENT && selection.typeCondition) {
          dearest = Math.max(
            dearest,
            estimator.representation(selection.typeCondition.name.value, selection.selectionSet),
          );
        }
      }
    }
  }
  return dearest;
}
