// The workspace graph from package.json files: which workspaces a deployable needs at run time.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "..");

/** Workspaces that are development tools: never a run-time dependency of anything deployed. */
export const DEVELOPMENT_ONLY = [
  "@commerce/dev",
  "@commerce/stack",
  "@commerce/testing",
  "@commerce/vitest-config",
  "@commerce/schema",
];

/** Every workspace of the root package.json: name → { dir (relative), manifest }. */
export function workspaces(root = repoRoot) {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const found = new Map();
  for (const pattern of manifest.workspaces) {
    // The root manifest uses `folder` and `folder/*` patterns only.
    const dirs = pattern.endsWith("/*")
      ? readdirSync(join(root, pattern.slice(0, -2))).map((entry) => `${pattern.slice(0, -2)}/${entry}`)
      : [pattern];
    for (const dir of dirs) {
      if (!existsSync(join(root, dir, "package.json"))) continue;
      const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
      found.set(pkg.name, { dir, manifest: pkg });
    }
  }
  return found;
}

/** The deployables: the production runtime, the router and every subgraph of schema/subgraphs.json. */
export function deployables(root = repoRoot) {
  const { subgraphs } = JSON.parse(readFileSync(join(root, "schema", "subgraphs.json"), "utf8"));
  return ["@commerce/start", "@commerce/router", ...subgraphs.map((s) => `@commerce/${s.name}`)];
}

/** The deployables plus every workspace they reach through `dependencies` (devDependencies not followed). */
export function runtimeClosure(root = repoRoot) {
  const all = workspaces(root);
  const closure = new Map();
  const visit = (name) => {
    if (closure.has(name)) return;
    const workspace = all.get(name);
    if (!workspace) throw new Error(`${name} is not a workspace`);
    closure.set(name, workspace);
    for (const dep of Object.keys(workspace.manifest.dependencies ?? {})) if (all.has(dep)) visit(dep);
  };
  for (const name of deployables(root)) visit(name);
  return closure;
}
