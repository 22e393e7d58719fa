export {
  compose,
  loadSubgraphs,
  formatProblem,
  type CompositionProblem,
  type CompositionResult,
  type SubgraphSource,
} from "./compose.js";
export { CONTRACTS, apiSchemaOf, contractSchemaOf, type ContractDefinition, type SchemaBuild } from "./apiSchema.js";
export { runSchemaCheck, gatherCheckInput, type CheckInput } from "./check.js";
export { createRouterLimits, type OperationLimitsProvider } from "./limits.js";
export { parseOperations, readOperationFiles, type ClientOperation } from "./operations.js";
export { renderJson, renderMarkdown, renderText } from "./report.js";
export type { CheckReport, ClassifiedChange, Finding, OperationVerdict, StepResult } from "./result.js";
