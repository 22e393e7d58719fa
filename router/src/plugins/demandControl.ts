import type { ApolloServerPlugin } from "@apollo/server";
import { actualCost, estimateCost, estimateEntityFetchCost, type CostMode } from "@commerce/analysis";
import { isRedisBypassed } from "@commerce/cache";
import { costBudgetExhausted, costEstimatedTooExpensive } from "@commerce/common";
import type { RouterContext } from "../context.js";
import type { CostBudget } from "../demandControl/costBudget.js";
import type { SupergraphMetadataRegistry } from "../supergraph/registry.js";

/** Request header asking for `extensions.cost` in the response (any of `true`, `1`, `yes`). */
export const COST_HEADER = "x-include-cost";

/** What one operation cost, as reported in `extensions.cost` and to `onCost`. */
export interface OperationCost {
  /** The enforced estimate: over the query plan (entity fetches included) once the gateway planned the operation. */
  estimated: number;
  /** The estimate over the operation document alone, checked before planning (it protects the planner). */
  estimatedDocument: number;
  /** From the response data; undefined when the operation did not run. */
  actual?: number | undefined;
  max: number;
  mode: CostMode;
  /** Left in the client's budget window, when budgets are on. */
  budgetRemaining?: number | undefined;
}

export interface DemandControlPluginOptions {
  /** Cost directives (@cost, @listSize) of each served schema. */
  registry: SupergraphMetadataRegistry;
  /** `enforce` refuses operations estimated above `maxCost`; `measure` only reports. @default "enforce" */
  mode?: CostMode;
  /** @default 1000 */
  maxCost?: number;
  /** Size of a list without @listSize or slicing argument. @default 10 */
  defaultListSize?: number;
  /** Base cost of a mutation. @default 10 */
  mutationCost?: number;
  /** Cost of each entity fetch in the query plan, on top of representations × their selection. @default 1 */
  entityFetchWeight?: number;
  /** Per-client budget per window (Redis); refused with 429 + Retry-After once spent. @default none */
  budget?: CostBudget | undefined;
  /** Called once per executed operation with its estimated and actual cost (no actual for `@defer`; metrics). @default none */
  onCost?: (cost: OperationCost, context: RouterContext) => void;
}

/**
 * Demand control, in two steps. Before planning, the static estimate of the (authorization-filtered) operation
 * document is refused above the maximum in `enforce` mode (400 `COST_ESTIMATED_TOO_EXPENSIVE`, `extensions.cost:
 * { estimated, max }`), so the planner never sees it, and charged to the client's budget (429
 * `COST_BUDGET_EXHAUSTED` with Retry-After). Once the gateway has the query plan, and before any subgraph is called,
 * the entity fetches are added (`estimateEntityFetchCost`) and that plan-level figure is enforced the same way.
 * The actual cost is computed from the response. All are in `extensions.cost` when the request sends `x-include-cost`.
 */
export function demandControlPlugin({
  registry,
  mode = "enforce",
  maxCost = 1000,
  defaultListSize = 10,
  mutationCost = 10,
  entityFetchWeight = 1,
  budget,
  onCost,
}: DemandControlPluginOptions): ApolloServerPlugin<RouterContext> {
  // Both estimates depend only on the document (or its plan), the operation, the variables and the schema's directives.
  const documentEstimates = new WeakMap<object, Map<string, { directives: unknown; cost: number }>>();
  const planEstimates = new WeakMap<object, Map<string, { directives: unknown; cost: number }>>();
  return {
    async requestDidStart({ request }) {
      const expose = /^(true|1|yes)$/i.test(request.http?.headers.get(COST_HEADER) ?? "");
      let cost: OperationCost | undefined;
      return {
        async didResolveOperation({ schema, document, request: { operationName, variables }, contextValue }) {
          const directives = registry.get(schema)?.cost;
          const options = { operationName, variables, directives, defaultListSize, mutationCost, entityFetchWeight };
          const key = estimateKey(operationName, variables);
          const estimated = memo(documentEstimates, document, key, directives, () =>
            estimateCost(schema, document, options),
          );
          const planned: OperationCost = { estimated, estimatedDocument: estimated, max: maxCost, mode };
          cost = planned;
          if (mode === "enforce" && estimated > maxCost) throw costEstimatedTooExpensive({ estimated, max: maxCost });
          contextValue.didResolveQueryPlan = ({ queryPlan, requestContext }) => {
            const planDocument = requestContext.document ?? document;
            const fetches = memo(planEstimates, queryPlan, key, directives, () =>
              estimateEntityFetchCost(schema, planDocument, queryPlan, options),
            );
            planned.estimated = Math.min(Number.MAX_SAFE_INTEGER, estimated + fetches);
            if (mode === "enforce" && planned.estimated > maxCost)
              throw costEstimatedTooExpensive({ estimated: planned.estimated, max: maxCost });
          };
          if (!budget) return;
          let charge;
          try {
            charge = await budget.charge(contextValue.clientId, estimated);
          } catch (error) {
            // Fails open: budgets protect the graph, and losing Redis must not take the graph down with it. While
            // the Redis guard is open, its opening was logged once; each refused charge is only a debug line.
            if (isRedisBypassed(error))
              contextValue.logger.debug("cost budget bypassed (Redis unavailable); operation allowed");
            else contextValue.logger.warn({ err: error }, "cost budget unavailable; operation allowed");
            return;
          }
          cost.budgetRemaining = charge.remaining;
          if (!charge.allowed) {
            throw costBudgetExhausted({
              estimated,
              remaining: charge.remaining,
              budget: budget.budget,
              retryAfterSeconds: charge.retryAfterSeconds,
            });
          }
        },
        async willSendResponse({ response, schema, document, request: { operationName }, contextValue }) {
          if (!cost || !response.body) return;
          const { body } = response;
          // An incremental (@defer) response has its data in parts: no actual cost, the estimate in its first payload.
          const result = body.kind === "single" ? body.singleResult : body.initialResult;
          if (result.data && document) {
            if (body.kind === "single")
              cost.actual = actualCost(schema, document, result.data, {
                operationName,
                directives: registry.get(schema)?.cost,
                mutationCost,
              });
            onCost?.(cost, contextValue);
          }
          if (expose) result.extensions = { ...result.extensions, cost: { ...cost } };
        },
      };
    },
  };
}

/** What an estimate depends on besides the document: the operation and, when there are any, the variables. */
function estimateKey(operationName: string | null | undefined, variables: Record<string, unknown> | undefined): string {
  const hasVariables = variables !== undefined && Object.keys(variables).length > 0;
  return `${operationName ?? ""}\u0000${hasVariables ? JSON.stringify(variables) : ""}`;
}

/** At most this many estimates per document or plan (distinct variables); then they start over. */
const MAX_ESTIMATES_PER_DOCUMENT = 32;

function memo(
  cache: WeakMap<object, Map<string, { directives: unknown; cost: number }>>,
  owner: object,
  key: string,
  directives: unknown,
  compute: () => number,
): number {
  let byKey = cache.get(owner);
  if (!byKey) cache.set(owner, (byKey = new Map()));
  const known = byKey.get(key);
  if (known && known.directives === directives) return known.cost;
  const cost = compute();
  if (byKey.size >= MAX_ESTIMATES_PER_DOCUMENT) byKey.clear();
  byKey.set(key, { directives, cost });
  return cost;
}
