import { CONTRACTS, contractSchemaOf } from "../src/apiSchema.js";
import type { CheckInput } from "../src/check.js";
import { compose, loadSubgraphs, type SubgraphSource } from "../src/compose.js";
import { createRouterLimits, type RouterLimitsOptions } from "../src/limits.js";
import { parseOperations, readOperationFiles, type OperationFile } from "../src/operations.js";
import type { CheckReport, StepId, StepResult } from "../src/result.js";

/** The real subgraphs as they are on disk: every fixture is a small change to a copy of them. */
export const realSubgraphs: readonly SubgraphSource[] = await loadSubgraphs();
/** The real client operations under operations/. */
export const realOperationFiles: readonly OperationFile[] = await readOperationFiles();

export function composeOrThrow(subgraphs: readonly SubgraphSource[]): string {
  const result = compose(subgraphs);
  if (!result.ok) throw new Error(`fixture does not compose:\n${result.errors.join("\n")}`);
  return result.supergraphSdl;
}

/** The fresh supergraph of the real subgraphs: the base every fixture is compared against (no git involved). */
export const baseSupergraph = composeOrThrow(realSubgraphs);

/** Replaces `search` in one subgraph's SDL, failing loudly when the real SDL no longer contains it. */
export function edit(
  name: string,
  search: string | RegExp,
  replacement: string,
  subgraphs = realSubgraphs,
): SubgraphSource[] {
  return subgraphs.map((s) => {
    if (s.name !== name) return s;
    const sdl = s.sdl.replace(search, replacement);
    if (sdl === s.sdl) throw new Error(`fixture: ${String(search)} not found in ${name}'s schema.graphql`);
    return { ...s, sdl };
  });
}

export interface FixtureOptions {
  subgraphs?: readonly SubgraphSource[];
  /** Extra operation files next to the real ones. */
  extraOperations?: OperationFile[];
  /** The committed supergraph; by default the fresh composition of `subgraphs` (so only the step under test fails). */
  committedSupergraph?: string | null;
  allowlist?: CheckInput["allowlist"];
  boundaryAllowlist?: CheckInput["boundaryAllowlist"];
  base?: CheckInput["base"];
  limits?: RouterLimitsOptions;
}

/** A CheckInput for the same check function the CLI runs, built from fixtures instead of the repository. */
export async function fixtureInput(options: FixtureOptions = {}): Promise<CheckInput> {
  const subgraphs = options.subgraphs ?? realSubgraphs;
  const composed = compose(subgraphs);
  const fresh = composed.ok ? composed.supergraphSdl : null;
  const committedContracts: Record<string, string | null> = {};
  for (const contract of CONTRACTS) {
    const built = fresh === null ? undefined : contractSchemaOf(fresh, contract);
    committedContracts[contract.name] = built?.ok ? built.sdl : null;
  }
  return {
    subgraphs,
    committedSupergraph: options.committedSupergraph === undefined ? fresh : options.committedSupergraph,
    committedContracts,
    base: options.base ?? {
      kind: "sdl",
      label: "fixture base (the real subgraphs, freshly composed)",
      sdl: baseSupergraph,
    },
    operations: parseOperations([...realOperationFiles, ...(options.extraOperations ?? [])]),
    allowlist: options.allowlist ?? { entries: [], problems: [] },
    ...(options.boundaryAllowlist ? { boundaryAllowlist: options.boundaryAllowlist } : {}),
    limits: createRouterLimits(options.limits),
  };
}

export function stepOf(report: CheckReport, id: StepId): StepResult {
  const found = report.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in the report`);
  return found;
}

/** Every finding of a step as text (message and details), for assertions on what a reader sees. */
export function textOf(step: StepResult): string {
  return step.findings.map((f) => [f.message, ...(f.details ?? [])].join("\n")).join("\n");
}
