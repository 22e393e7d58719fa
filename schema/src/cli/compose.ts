// npm run schema:compose — writes schema/supergraph.graphql from every subgraph's schema.graphql.
import { writeFile } from "node:fs/promises";
import { compose, loadSubgraphs, supergraphPath } from "../compose.js";

const subgraphs = await loadSubgraphs();
const result = compose(subgraphs);
if (!result.ok) {
  console.error(`Composition failed (${result.errors.length} error(s)):`);
  for (const error of result.errors) console.error(`  - ${error}`);
  process.exit(1);
}
await writeFile(supergraphPath, `${result.supergraphSdl.trimEnd()}\n`);
console.log(`composed ${subgraphs.map((s) => s.name).join(", ")} → ${supergraphPath}`);
if (result.hints.length > 0) console.log(`${result.hints.length} composition hint(s):\n  ${result.hints.join("\n  ")}`);
