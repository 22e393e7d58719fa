// Pure analysis of GraphQL operations against a supergraph: operation limits, static and actual cost, field
// authorization, and the metadata (directives) these read from the supergraph. No I/O and no state: the router
// runs it on every request, the schema check on every client operation, with the same code and numbers.
export {
  DEFAULT_OPERATION_LIMITS,
  checkBatchSize,
  checkOperationLimits,
  checkSourceLimits,
  limitError,
  measureOperationLimits,
  type CheckOperationLimitsOptions,
  type LimitMode,
  type LimitViolation,
  type OperationLimits,
} from "./limits/operationLimits.js";
export {
  measureOperation,
  type DepthIgnore,
  type MeasureOperationOptions,
  type OperationMeasurements,
} from "./limits/measureOperation.js";
export { measureSource, type SourceMeasurements } from "./limits/measureSource.js";
export { estimateCost, type CostOptions } from "./cost/estimateCost.js";
export {
  estimateEntityFetchCost,
  estimatePlanCost,
  type CostedPlanNode,
  type CostedQueryPlan,
  type PlanCostOptions,
} from "./cost/planCost.js";
export { actualCost, type ActualCostOptions } from "./cost/actualCost.js";
export {
  UnenforceableSupergraphError,
  costDirectivesFromSdl,
  prepareSupergraph,
  readSupergraphMetadata,
  type AccessPolicies,
  type AccessRequirement,
  type CostDirectives,
  type ListSize,
  type SupergraphMetadata,
} from "./supergraph/metadata.js";
export {
  ExpansionLimitError,
  PLACEHOLDER_KEY,
  authorizeOperation,
  satisfies,
  type AuthorizationResult,
  type AuthorizeOperationOptions,
  type Caller,
  type Denial,
  type ResponsePath,
} from "./authorization/authorizeOperation.js";
export { DEFER_DIRECTIVE, schemaWithDefer } from "./schema/deferDirective.js";
export {
  LIMIT_VARIABLES,
  loadAnalysisSettings,
  readAnalysisSettings,
  type AnalysisSettings,
  type CostMode,
  type CostSettings,
} from "./settings.js";
