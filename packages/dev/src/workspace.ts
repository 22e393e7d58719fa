import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";

/** A workspace package: its name, folder and the workspace packages it depends on at run time. */
export interface WorkspacePackage {
  name: string;
  dir: string;
  dependencies: string[];
}

interface PackageJson {
  name?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
}

const readPackageJson = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;

/**
 * Every package of the root's npm workspaces (`"packages/*"` or a plain folder, the two forms the root uses), with its
 * `dependencies` on other workspace packages. Dev dependencies are left out: a test helper changing restarts nothing.
 */
export function readWorkspace(root: string): Map<string, WorkspacePackage> {
  const dirs: string[] = [];
  for (const pattern of readPackageJson(root).workspaces ?? []) {
    if (pattern.endsWith("/*")) {
      const parent = join(root, pattern.slice(0, -2));
      for (const entry of readdirSync(parent, { withFileTypes: true }))
        if (entry.isDirectory()) dirs.push(join(parent, entry.name));
    } else dirs.push(join(root, pattern));
  }
  const packages = new Map<string, WorkspacePackage>();
  for (const dir of dirs) {
    if (!existsSync(join(dir, "package.json"))) continue;
    const pkg = readPackageJson(dir);
    if (pkg.name) packages.set(pkg.name, { name: pkg.name, dir, dependencies: Object.keys(pkg.dependencies ?? {}) });
  }
  for (const pkg of packages.values()) pkg.dependencies = pkg.dependencies.filter((name) => packages.has(name));
  return packages;
}

/** The folders of the workspace packages `serviceDir`'s package uses, directly or through another one. */
export function sharedPackageDirs(serviceDir: string, workspace: ReadonlyMap<string, WorkspacePackage>): string[] {
  const seen = new Set<string>();
  const visit = (names: readonly string[]) => {
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      visit(workspace.get(name)?.dependencies ?? []);
    }
  };
  visit(Object.keys(readPackageJson(serviceDir).dependencies ?? {}).filter((name) => workspace.has(name)));
  return [...seen].map((name) => (workspace.get(name) as WorkspacePackage).dir).filter((dir) => dir !== serviceDir);
}

/** True when `path` is `dir` or lies inside it. */
export function isInside(path: string, dir: string): boolean {
  const child = resolve(path);
  const parent = resolve(dir);
  return child === parent || child.startsWith(parent + sep);
}
