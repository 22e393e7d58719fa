// Writes router/persisted-operations.json from the client operations in operations/**/*.graphql.
// Usage: npm run manifest -w @commerce/router [-- --check]   (--check fails when the file is stale)
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildManifest } from "../src/persisted/manifest.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const operationsDir = join(repoRoot, "operations");
const output = fileURLToPath(new URL("../persisted-operations.json", import.meta.url));

async function graphqlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".graphql"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const paths = await graphqlFiles(operationsDir);
const files = await Promise.all(
  paths.map(async (path) => ({ path: relative(repoRoot, path), source: await readFile(path, "utf8") })),
);
const text = `${JSON.stringify(buildManifest(files), null, 2)}\n`;
if (process.argv.includes("--check")) {
  const current = await readFile(output, "utf8").catch(() => "");
  if (current !== text) {
    console.error(`${relative(repoRoot, output)} is stale: run \`npm run manifest -w @commerce/router\``);
    process.exit(1);
  }
  console.log(`${relative(repoRoot, output)} is up to date (${files.length} files)`);
} else {
  await writeFile(output, text);
  console.log(`wrote ${relative(repoRoot, output)} from ${files.length} operation files`);
}
