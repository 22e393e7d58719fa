#!/usr/bin/env node
// Dependency hygiene, run by CI (`npm run deps:check`):
//  1. knip: every import is declared and every declared package is used (tests and scripts included);
//  2. the deployables' run-time workspace graph contains no development tool (test harness, local infrastructure);
//  3. knip --production --strict on that graph: shipped code imports only its own `dependencies`;
//  4. `npm ls`: the installed tree matches every package.json (nothing missing, invalid or extraneous).
import { spawnSync } from "node:child_process";
import { DEVELOPMENT_ONLY, deployables, repoRoot, runtimeClosure } from "./workspaces.mjs";

let failed = false;
function run(title, command, args, stdio = "inherit") {
  console.log(`deps: ${title}`);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio });
  if (result.status !== 0) failed = true;
}

run("declared = imported (knip)", "npx", ["--no-install", "knip", "--dependencies", "--no-progress"]);

const closure = runtimeClosure();
const tools = [...closure.keys()].filter((name) => DEVELOPMENT_ONLY.includes(name));
console.log(`deps: run-time workspaces of ${deployables().join(", ")}: ${[...closure.keys()].join(", ")}`);
if (tools.length > 0) {
  console.error(`deps: development tools in the run-time graph (make them devDependencies): ${tools.join(", ")}`);
  failed = true;
}

const filters = [...closure.values()].flatMap(({ dir }) => ["--workspace", dir]);
run("shipped code imports only `dependencies` (knip --production --strict)", "npx", [
  "--no-install",
  "knip",
  "--dependencies",
  "--production",
  "--strict",
  "--no-progress",
  ...filters,
]);
run("installed tree matches the manifests (npm ls)", "npm", ["ls", "--all"], ["ignore", "ignore", "inherit"]);

if (failed) process.exit(1);
console.log("deps: clean");
