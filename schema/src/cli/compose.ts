// npm run schema:compose — writes schema/supergraph.graphql from every subgraph's schema.graphql, and each contract
// schema (schema/contracts/<name>.graphql) from that supergraph.
import { mkdir, writeFile } from "node:fs/promises";
import { CONTRACTS, contractPath, contractSchemaOf, contractsDir } from "../apiSchema.js";
import { compose, displayPath, formatProblem, loadSubgraphs, supergraphPath } from "../compose.js";

const subgraphs = await loadSubgraphs();
const result = compose(subgraphs);
if (!result.ok) {
  console.error(`Composition failed (${result.problems.length} error(s)):`);
  for (const problem of result.problems) {
    console.error(`  - ${formatProblem(problem)}`);
    if (problem.ruleDescription) console.error(`      rule ${problem.rule}: ${problem.ruleDescription}`);
    for (const location of problem.locations) console.error(`      at ${location}`);
  }
  process.exit(1);
}
await writeFile(supergraphPath, `${result.supergraphSdl.trimEnd()}\n`);
console.log(`composed ${subgraphs.map((s) => s.name).join(", ")} → ${displayPath(supergraphPath)}`);
if (result.hints.length > 0) console.log(`${result.hints.length} composition hint(s):\n  ${result.hints.join("\n  ")}`);

await mkdir(contractsDir, { recursive: true });
let failed = false;
for (const contract of CONTRACTS) {
  const built = contractSchemaOf(result.supergraphSdl, contract);
  if (!built.ok) {
    console.error(`contract "${contract.name}" does not build:\n  - ${built.errors.join("\n  - ")}`);
    failed = true;
    continue;
  }
  await writeFile(contractPath(contract.name), built.sdl);
  console.log(
    `contract ${contract.name} (without @tag ${contract.excludeTags.join(", ")}) → ${displayPath(contractPath(contract.name))}`,
  );
}
if (failed) process.exit(1);
