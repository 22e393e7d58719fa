import type { AllowedChange } from "../allowlist.js";
import { contractPath, type ContractDefinition, type SchemaBuild } from "../apiSchema.js";
import { checkOperations, classifyChanges } from "../changes.js";
import { displayPath } from "../compose.js";
import { validateOperation, type ClientOperation } from "../operations.js";
import type { ClassifiedChange, Finding, OperationVerdict, StepResult } from "../result.js";
import { changeFindings, summarizeChanges, type BaseSchemas } from "./breakingChangesStep.js";
import { step } from "./step.js";

/**
 * Step 6: each contract builds, its changes beyond the API schema's, and the client operations that ran against
 * its base and break on it. What the API schema's steps already report (the same change, an operation already
 * broken) is not repeated. Returns every contract's changes too (unused allowlist entries need them).
 */
export async function contractsStep(input: {
  contracts: readonly ContractDefinition[];
  contractBuilds: ReadonlyMap<string, SchemaBuild>;
  base: BaseSchemas;
  allowlist: readonly AllowedChange[];
  operations: readonly ClientOperation[];
  apiChanges: readonly ClassifiedChange[];
  verdicts: readonly OperationVerdict[];
}): Promise<{ step: StepResult; changes: ClassifiedChange[] }> {
  const { base, operations, apiChanges } = input;
  const changes: ClassifiedChange[] = [];
  const contractFindings: Finding[] = [];
  const contractSummaries: string[] = [];
  for (const contract of input.contracts) {
    const built = input.contractBuilds.get(contract.name);
    if (!built?.ok) {
      contractFindings.push({
        level: "error",
        message: `contract "${contract.name}" does not build`,
        details: built?.errors ?? [],
      });
      continue;
    }
    const baseContract = base.contracts.get(contract.name);
    const contractChanges = baseContract?.ok
      ? await classifyChanges(contract.name, baseContract.schema, built.schema, input.allowlist)
      : [];
    changes.push(...contractChanges);
    const brokenOnApi = new Set(input.verdicts.filter((v) => v.status === "fail").map((v) => v.name));
    const result = checkOperations({
      schemaName: contract.name,
      base: baseContract?.ok ? baseContract.schema : undefined,
      next: built.schema,
      changes: contractChanges,
      operations: operations.filter((op) => !brokenOnApi.has(op.name)),
      scope: "base-clients",
    });
    const own = contractChanges.filter(
      (c) => !apiChanges.some((a) => a.type === c.type && a.path === c.path && a.message === c.message),
    );
    contractFindings.push(...changeFindings(own, `${contract.name}: `), ...result.findings);
    const clients = operations.filter((op) => validateOperation(built.schema, op).length === 0).map((op) => op.name);
    contractFindings.push({
      level: "info",
      message: `${contract.name}: written to ${displayPath(contractPath(contract.name))}, excluding @tag(name: ${contract.excludeTags.map((t) => `"${t}"`).join(" | ")}); ${clients.length} of ${operations.length} client operations run against it`,
      ...(clients.length < operations.length
        ? {
            details: [
              `not in the contract: ${operations
                .filter((op) => !clients.includes(op.name))
                .map((op) => op.name)
                .join(", ")}`,
            ],
          }
        : {}),
    });
    const diffNote =
      baseContract === undefined
        ? `no base (${base.reason})`
        : !baseContract.ok
          ? "base contract does not build"
          : own.length === 0
            ? "no changes beyond the API schema's"
            : `${summarizeChanges(own)} beyond the API schema's`;
    contractSummaries.push(`${contract.name}: ${diffNote}`);
  }
  return { step: step("contracts", contractFindings, contractSummaries.join("; ") || "no contracts"), changes };
}
