// npm run schema:check — composition must succeed and the committed supergraph must be fresh.
import { readFile } from "node:fs/promises";
import { compose, loadSubgraphs, supergraphPath } from "../compose.js";

const result = compose(await loadSubgraphs());
if (!result.ok) {
  console.error(`✗ composition failed:\n  - ${result.errors.join("\n  - ")}`);
  process.exit(1);
}
const committed = await readFile(supergraphPath, "utf8").catch(() => "");
if (committed.trimEnd() !== result.supergraphSdl.trimEnd()) {
  console.error(`✗ ${supergraphPath} is stale: it differs from a fresh composition. Run \`npm run schema:compose\` and commit it.`);
  process.exit(1);
}
console.log("✓ composition succeeds and schema/supergraph.graphql is up to date");
