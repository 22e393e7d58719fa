import { findAllowed, type AllowedChange, type LoadedAllowlist } from "../allowlist.js";
import type { LoadedOperations } from "../operations.js";
import type { ClassifiedChange, Finding, OperationVerdict, StepResult } from "../result.js";
import { plural, step } from "./step.js";

/**
 * Step 4: the client operations against the API schema (their verdicts, from the breaking-changes step), the
 * problems of the operation files and the allowlist, and the allowlist entries no change of any schema matches.
 */
export function operationsStep(input: {
  operations: LoadedOperations;
  allowlist: LoadedAllowlist;
  /** The findings of the operation checks on the API schema. */
  findings: readonly Finding[];
  verdicts: readonly OperationVerdict[];
  /** The changes of the API schema and of every contract. */
  changes: readonly ClassifiedChange[];
  hasBase: boolean;
}): StepResult {
  const { verdicts } = input;
  const findings: Finding[] = [
    ...input.operations.problems.map((message): Finding => ({ level: "error", message })),
    ...input.allowlist.problems.map((message): Finding => ({ level: "error", message })),
    ...input.findings,
  ];
  for (const entry of unusedAllowlistEntries(input.allowlist.entries, input.changes)) {
    findings.push({
      level: "warning",
      message: `allowlist entry ${entry.path}${entry.type ? ` (${entry.type})` : ""} matches no change: remove it`,
      details: [entry.reason],
    });
  }
  const failing = verdicts.filter((v) => v.status === "fail").length;
  const summary = `${plural(verdicts.length, "operation")}: ${verdicts.length - failing} valid${failing ? `, ${failing} broken` : ""}${input.hasBase ? "" : " (validated only: no base)"}`;
  return step("operations", findings, summary);
}

function unusedAllowlistEntries(
  entries: readonly AllowedChange[],
  changes: readonly ClassifiedChange[],
): AllowedChange[] {
  return entries.filter((entry) => !changes.some((change) => findAllowed([entry], change, change.schema) === entry));
}
