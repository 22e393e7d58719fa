import { contractPath, type ContractDefinition, type SchemaBuild } from "../apiSchema.js";
import { displayPath, supergraphPath } from "../compose.js";
import type { Finding, StepResult } from "../result.js";
import { plural, step } from "./step.js";

export const COMPOSE_COMMAND = "npm run schema:compose";

/** Step 2: the committed supergraph and contract schemas equal a fresh composition. */
export function freshnessStep(input: {
  committedSupergraph: string | null;
  committedContracts: Readonly<Record<string, string | null>>;
  supergraphSdl: string;
  contracts: readonly ContractDefinition[];
  contractBuilds: ReadonlyMap<string, SchemaBuild>;
}): StepResult {
  const fresh: Finding[] = [];
  if (input.committedSupergraph === null)
    fresh.push({
      level: "error",
      message: `${displayPath(supergraphPath)} is missing`,
      details: [`run \`${COMPOSE_COMMAND}\` and commit it`],
    });
  else if (input.committedSupergraph.trimEnd() !== input.supergraphSdl.trimEnd()) {
    fresh.push({
      level: "error",
      message: `${displayPath(supergraphPath)} is stale: it differs from a fresh composition`,
      details: [`run \`${COMPOSE_COMMAND}\` and commit it`],
    });
  }
  for (const contract of input.contracts) {
    const built = input.contractBuilds.get(contract.name);
    if (!built?.ok) continue; // the contracts step reports why it does not build
    const committed = input.committedContracts[contract.name] ?? null;
    const file = displayPath(contractPath(contract.name));
    if (committed === null)
      fresh.push({
        level: "error",
        message: `${file} is missing`,
        details: [`run \`${COMPOSE_COMMAND}\` and commit it`],
      });
    else if (committed.trimEnd() !== built.sdl.trimEnd())
      fresh.push({
        level: "error",
        message: `${file} is stale`,
        details: [`run \`${COMPOSE_COMMAND}\` and commit it`],
      });
  }
  return step(
    "freshness",
    fresh,
    fresh.length === 0
      ? "supergraph and contract schemas are up to date"
      : `${plural(fresh.length, "file")} out of date`,
  );
}
