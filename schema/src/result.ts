/** The steps of `npm run schema:check`, in the order they run and print. */
export type StepId =
  "composition" | "freshness" | "breaking-changes" | "operations" | "limits" | "contracts" | "hygiene";

/** `warn` passes; only `fail` makes the check exit 1. `skip` says why a step could not run. */
export type Status = "pass" | "warn" | "fail" | "skip";

export interface Finding {
  level: "error" | "warning" | "info";
  message: string;
  /** Further lines: locations, causes, how to fix. */
  details?: string[];
}

export interface StepResult {
  id: StepId;
  title: string;
  status: Status;
  /** One line, shown next to the status. */
  summary: string;
  findings: Finding[];
}

export type ChangeLevel = "breaking" | "dangerous" | "safe";

/** A schema change found by graphql-inspector, with which client operations rely on what it changes. */
export interface ClassifiedChange {
  /** `api` or a contract name. */
  schema: string;
  level: ChangeLevel;
  /** graphql-inspector's change type, e.g. `FIELD_REMOVED`. */
  type: string;
  /** Schema coordinate, e.g. `Product.sku` or `Query.products.first`. */
  path?: string;
  message: string;
  /** Names of the client operations that rely on the changed element. */
  usedBy: string[];
  /** The allowlist's reason, when a reviewer accepted this change. */
  allowedBecause?: string;
}

/** An operation limit as the router enforces it, measured on one operation. */
export interface LimitMeasurement {
  /** `maxDepth`, `maxCost` (document-level estimate), `maxPlanCost` (plan-level estimate, same maximum), … */
  limit: string;
  /** The measured value; absent when there is none to report (`problem` says why). */
  measured?: number;
  max: number;
  exceeded: boolean;
  /** Whether the router refuses an operation over this limit (not in warn / measure mode). */
  enforced: boolean;
  /** Why there is no measurement (e.g. the operation could not be planned). */
  problem?: string;
}

export interface OperationVerdict {
  name: string;
  kind: "query" | "mutation" | "subscription";
  file: string;
  status: "pass" | "warn" | "fail";
  /** Validation errors against the new API schema. */
  errors: string[];
  /** Breaking changes (`TYPE path`) this operation relies on. */
  breaks: string[];
  limits: LimitMeasurement[];
}

export interface CheckReport {
  ok: boolean;
  /** What the breaking-change steps compared against, or why they were skipped. */
  base: { label: string } | { skipped: string };
  steps: StepResult[];
  changes: ClassifiedChange[];
  operations: OperationVerdict[];
  /** Where the operation limits come from (the router's settings, measured by @commerce/analysis). */
  limitsSource: string;
}

/** A step's status from its findings: any error fails it, any warning warns. */
export function statusOf(findings: readonly Finding[]): Status {
  if (findings.some((f) => f.level === "error")) return "fail";
  if (findings.some((f) => f.level === "warning")) return "warn";
  return "pass";
}
