import { checkBoundaryFields, type LoadedBoundaryAllowlist } from "../boundary.js";
import type { SubgraphSource } from "../compose.js";
import { checkSubgraphHygiene } from "../hygiene.js";
import type { StepResult } from "../result.js";
import { plural, step } from "./step.js";

/** Step 7: each subgraph's SDL on its own (hygiene), and the non-null fields at its boundary. */
export function hygieneStep(
  subgraphs: readonly SubgraphSource[],
  boundaryAllowlist: LoadedBoundaryAllowlist = { entries: [], problems: [] },
): StepResult {
  const findings = [...subgraphs.flatMap(checkSubgraphHygiene), ...checkBoundaryFields(subgraphs, boundaryAllowlist)];
  return step("hygiene", findings, `${plural(subgraphs.length, "subgraph")} checked`);
}
