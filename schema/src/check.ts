import { readFile } from "node:fs/promises";
import { loadAllowlist, type LoadedAllowlist } from "./allowlist.js";
import { CONTRACTS, apiSchemaOf, contractPath, contractSchemaOf, type ContractDefinition } from "./apiSchema.js";
import { readBaseFile, resolveGitBase, type Base } from "./base.js";
import { loadSubgraphs, supergraphPath, type SubgraphSource } from "./compose.js";
import { loadBoundaryAllowlist, type LoadedBoundaryAllowlist } from "./boundary.js";
import { createRouterLimits, type OperationLimitsProvider, type RouterLimitsOptions } from "./limits.js";
import { parseOperations, readOperationFiles, type LoadedOperations } from "./operations.js";
import type { CheckReport, StepResult } from "./result.js";
import { baseSchemas, breakingChangesStep } from "./steps/breakingChangesStep.js";
import { compositionStep } from "./steps/compositionStep.js";
import { contractsStep } from "./steps/contractsStep.js";
import { freshnessStep } from "./steps/freshnessStep.js";
import { hygieneStep } from "./steps/hygieneStep.js";
import { limitsStep } from "./steps/limitsStep.js";
import { operationsStep } from "./steps/operationsStep.js";
import { skipped, step } from "./steps/step.js";

/** Everything the check reads. The CLI gathers it from the repository; tests build it from fixtures. */
export interface CheckInput {
  subgraphs: readonly SubgraphSource[];
  /** The committed schema/supergraph.graphql, or null when it is missing. */
  committedSupergraph: string | null;
  /** The committed contract schemas by contract name (null when missing). */
  committedContracts: Readonly<Record<string, string | null>>;
  /** What breaking changes are measured against. */
  base: Base;
  operations: LoadedOperations;
  allowlist: LoadedAllowlist;
  /** Non-null boundary fields accepted with a reason (schema/allowed-boundary-fields.json). @default none */
  boundaryAllowlist?: LoadedBoundaryAllowlist;
  limits: OperationLimitsProvider;
  /** @default CONTRACTS */
  contracts?: readonly ContractDefinition[];
}

/**
 * Runs every step of `npm run schema:check` over `input` (one module per step under `steps/`). Pure apart from the
 * limits provider; never throws on bad input. Steps are reported in `StepId` order; a step whose input could not be
 * built (composition failed, the API schema does not build) is skipped with the reason.
 */
export async function runSchemaCheck(input: CheckInput): Promise<CheckReport> {
  const contracts = input.contracts ?? CONTRACTS;
  const hygiene = hygieneStep(input.subgraphs, input.boundaryAllowlist);
  const report = (steps: StepResult[], rest: Pick<CheckReport, "ok" | "changes" | "operations">): CheckReport => ({
    ok: rest.ok,
    base: input.base.kind === "sdl" ? { label: input.base.label } : { skipped: input.base.reason },
    steps,
    changes: rest.changes,
    operations: rest.operations,
    limitsSource: input.limits.source,
  });

  const composition = compositionStep(input.subgraphs);
  if (!composition.composed.ok) {
    const reason = "composition failed";
    const steps = [
      composition.step,
      skipped("freshness", reason),
      skipped("breaking-changes", reason),
      skipped("operations", reason),
      skipped("limits", reason),
      skipped("contracts", reason),
      hygiene,
    ];
    return report(steps, { ok: false, changes: [], operations: [] });
  }
  const supergraphSdl = composition.composed.supergraphSdl;
  const api = apiSchemaOf(supergraphSdl);
  const contractBuilds = new Map(contracts.map((c) => [c.name, contractSchemaOf(supergraphSdl, c)] as const));
  const freshness = freshnessStep({ ...input, supergraphSdl, contracts, contractBuilds });

  if (!api.ok) {
    const reason = "the API schema does not build";
    const breaking = step(
      "breaking-changes",
      api.errors.map((m) => ({ level: "error", message: m })),
      reason,
    );
    const steps = [
      composition.step,
      freshness,
      breaking,
      skipped("operations", reason),
      skipped("limits", reason),
      skipped("contracts", reason),
      hygiene,
    ];
    return report(steps, { ok: false, changes: [], operations: [] });
  }

  const base = baseSchemas(input.base, contracts);
  const allowlist = input.allowlist.entries;
  const operations = input.operations.operations;
  const breaking = await breakingChangesStep({ base, api: api.schema, allowlist, operations });
  // Contracts run before the operations step: its unused allowlist entries need every schema's changes.
  const contractsResult = await contractsStep({
    contracts,
    contractBuilds,
    base,
    allowlist,
    operations,
    apiChanges: breaking.changes,
    verdicts: breaking.verdicts,
  });
  const changes = [...breaking.changes, ...contractsResult.changes];
  const operationsResult = operationsStep({
    operations: input.operations,
    allowlist: input.allowlist,
    findings: breaking.findings,
    verdicts: breaking.verdicts,
    changes,
    hasBase: base.api?.ok === true,
  });
  // After the operations step: it reports validity, the limits step what the router would refuse.
  const limits = limitsStep(input.limits, breaking.verdicts, operations, { apiSchema: api.schema, supergraphSdl });
  const steps = [composition.step, freshness, breaking.step, operationsResult, limits, contractsResult.step, hygiene];
  return report(steps, { ok: steps.every((s) => s.status !== "fail"), changes, operations: breaking.verdicts });
}

export interface GatherOptions {
  /** A base file instead of the git merge base. */
  baseFile?: string;
  /** The branch whose merge base is the base. @default "main" */
  branch?: string;
  limits?: RouterLimitsOptions;
}

/** Reads the repository: subgraphs, committed files, base, operations, allowlist, router limits. */
export async function gatherCheckInput(options: GatherOptions = {}): Promise<CheckInput> {
  const orNull = (path: string) => readFile(path, "utf8").catch(() => null);
  const subgraphs = await loadSubgraphs();
  const committedContracts: Record<string, string | null> = {};
  for (const contract of CONTRACTS) committedContracts[contract.name] = await orNull(contractPath(contract.name));
  return {
    subgraphs,
    committedSupergraph: await orNull(supergraphPath),
    committedContracts,
    base: options.baseFile
      ? await readBaseFile(options.baseFile)
      : resolveGitBase(options.branch ? { branch: options.branch } : {}),
    operations: parseOperations(await readOperationFiles()),
    allowlist: await loadAllowlist(),
    boundaryAllowlist: await loadBoundaryAllowlist(),
    limits: createRouterLimits(options.limits),
  };
}
