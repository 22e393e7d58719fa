// Pure, side-effect-free analysis of operations against a schema: what schema checks of client operations
// (schema/, issue 6) import as `@commerce/router/analysis` (or from `@commerce/router`).
export { estimateCost, type CostOptions } from "./demandControl/estimateCost.js";
export {
  estimateEntityFetchCost,
  estimatePlanCost,
  type CostedPlanNode,
  type CostedQueryPlan,
  type PlanCostOptions,
} from "./demandControl/planCost.js";
export { actualCost, type ActualCostOptions } from "./demandControl/actualCost.js";
export { measureOperation, type DepthIgnore, type MeasureOperationOptions, type OperationMeasurements } from "./limits/measureOperation.js";
export { measureSource, type SourceMeasurements } from "./limits/measureSource.js";
export {
  DEFAULT_OPERATION_LIMITS,
  batchSize,
  checkBatchSize,
  checkOperationLimits,
  checkSourceLimits,
  limitError,
  type CheckOperationLimitsOptions,
  type LimitMode,
  type LimitViolation,
  type OperationLimits,
} from "./limits/operationLimits.js";
export {
  costDirectivesFromSdl,
  prepareSupergraph,
  readSupergraphMetadata,
  type AccessPolicies,
  type AccessRequirement,
  type CostDirectives,
  type ListSize,
  type SupergraphMetadata,
} from "./supergraph/metadata.js";
export { authorizeOperation, type AuthorizationResult, type Caller, type Denial } from "./authorization/authorizeOperation.js";
export { depthLimitRule, DEPTH_LIMIT_EXCEEDED, type DepthLimitRuleOptions } from "./validation/depthLimit.js";
export { buildManifest, createSafelist, type PersistedOperationManifest } from "./persisted/manifest.js";
