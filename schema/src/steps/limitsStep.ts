import type { LimitTarget, OperationLimitsProvider } from "../limits.js";
import type { ClientOperation } from "../operations.js";
import type { Finding, OperationVerdict, StepResult } from "../result.js";
import { plural, step } from "./step.js";

/**
 * Step 5: cost and limits, on the operations that are valid (the router validates before it costs). Records each
 * measurement on its verdict, and fails (or warns about) the verdicts over a limit.
 */
export function limitsStep(
  limits: OperationLimitsProvider,
  verdicts: OperationVerdict[],
  operations: readonly ClientOperation[],
  target: LimitTarget,
): StepResult {
  const findings: Finding[] = [];
  let measured = 0;
  for (const verdict of verdicts) {
    if (verdict.errors.length > 0) continue;
    const operation = operations.find((op) => op.name === verdict.name);
    if (!operation) continue;
    verdict.limits = limits.measure(operation, target);
    measured += 1;
    const over = verdict.limits.filter((l) => l.exceeded);
    if (over.length === 0) continue;
    const refused = over.some((l) => l.enforced);
    if (refused) verdict.status = "fail";
    else if (verdict.status === "pass") verdict.status = "warn";
    findings.push({
      level: refused ? "error" : "warning",
      message: `${verdict.kind} ${verdict.name} (${verdict.file}): ${refused ? "the router would refuse it" : "over a limit the router only warns about"}`,
      details: over.map(
        (l) =>
          `${l.limit}: ${l.problem ?? (l.measured === undefined ? "over" : l.measured)} > ${l.max}${l.enforced ? "" : " (not enforced)"}`,
      ),
    });
  }
  const over = findings.length;
  return step(
    "limits",
    findings,
    `${plural(measured, "operation")} measured, ${over === 0 ? "all within the router's limits" : `${over} over a limit`} (${limits.source})`,
  );
}
