#!/usr/bin/env node
// Renders every kustomization under deploy/kubernetes (kubectl kustomize, offline) and validates each object against
// the Kubernetes API schemas of the kubernetes-models packages, failing on any problem:
//  - kubernetes-models' validate(): types, formats, enums and required fields, per the API's OpenAPI schemas;
//  - the same package's TypeScript interfaces, type-checked over the rendered objects as object literals: TypeScript
//    rejects a property the API does not have (a misspelt or misplaced field), which the JSON schemas let through.
//  - every Node container caps its heap: `--max-old-space-size=$(NODE_HEAP_MB)` in its command, NODE_HEAP_MB a
//    whole number of MB and at most half the container's memory limit (the rest: young generation, code, buffers),
//    with the growing factor and young generation `npm start` gives every service (packages/start/src/heap.ts).
// Usage: node scripts/check-kubernetes.mjs [kustomization folder…] (default: every one under deploy/kubernetes)
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "./workspaces.mjs";

const deployDir = join(repoRoot, "deploy", "kubernetes");
// HEAP_TUNING_FLAGS of packages/start/src/heap.ts (this script runs before the build; a start test keeps
// them equal): V8's large-heap growing factor and the young generation every Node version gets.
const HEAP_FLAGS = ["--heap-growing-percent=300", "--max-semi-space-size=64"];

function kustomizations(dir) {
  const found = existsSync(join(dir, "kustomization.yaml")) ? [dir] : [];
  for (const entry of readdirSync(dir)) {
    if (statSync(join(dir, entry)).isDirectory()) found.push(...kustomizations(join(dir, entry)));
  }
  return found;
}

/** kubernetes-models module of an object: `apps/v1` + `Deployment` → kubernetes-models/apps/v1/Deployment. */
function modelPath({ apiVersion, kind }) {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Kubernetes memory quantity (`512Mi`, `1Gi`, `800M`, bytes) in MiB. */
function mebibytes(quantity) {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(quantity));
  if (!match) return Number.NaN;
  const factor = {
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    Ti: 1024 ** 2,
    k: 1e3 / 2 ** 20,
    M: 1e6 / 2 ** 20,
    G: 1e9 / 2 ** 20,
    T: 1e12 / 2 ** 20,
  };
  return Number(match[1]) * (match[2] ? factor[match[2]] : 1 / 2 ** 20);
}

/** A Deployment's Node containers without a heap cap, or with one that does not fit their memory limit. */
function heapCapProblems(label, deployment) {
  const found = [];
  for (const container of deployment.spec?.template?.spec?.containers ?? []) {
    if (container.command?.[0] !== "node") continue;
    const where = `${label}: container ${container.name}`;
    if (!container.command.includes("--max-old-space-size=$(NODE_HEAP_MB)")) {
      found.push(`${where}: its command must cap the heap with --max-old-space-size=$(NODE_HEAP_MB)`);
      continue;
    }
    for (const flag of HEAP_FLAGS.filter((wanted) => !container.command.includes(wanted))) {
      found.push(`${where}: its command must pass ${flag} with the cap, as npm start does`);
    }
    const value = container.env?.find((variable) => variable.name === "NODE_HEAP_MB")?.value;
    const heap = Number(value);
    const limit = mebibytes(container.resources?.limits?.memory);
    if (!Number.isInteger(heap) || heap < 96) {
      found.push(`${where}: NODE_HEAP_MB must be a whole number of MB, at least 96, got ${JSON.stringify(value)}`);
    } else if (!(heap <= limit / 2)) {
      found.push(
        `${where}: NODE_HEAP_MB ${heap} is more than half its memory limit (${container.resources?.limits?.memory ?? "none"}): V8's young generation, code and buffers need the rest`,
      );
    }
  }
  return found;
}

const targets =
  process.argv.length > 2 ? process.argv.slice(2).map((dir) => join(process.cwd(), dir)) : kustomizations(deployDir);
const problems = [];
const objects = [];
for (const dir of targets) {
  const name = relative(repoRoot, dir);
  let rendered;
  try {
    rendered = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    if (error.code === "ENOENT")
      throw new Error(
        "kubectl is not on PATH: install it (Debian: apt-get install kubectl, or kubernetes.io's packages), version 1.27 or later",
      );
    problems.push(`${name}: kubectl kustomize failed: ${error.stderr || error.message}`);
    continue;
  }
  for (const document of parseAllDocuments(rendered)) {
    if (document.errors.length > 0) problems.push(`${name}: YAML: ${document.errors.map((e) => e.message).join("; ")}`);
    const object = document.toJS();
    if (!object) continue;
    const label = `${name}: ${object.kind ?? "?"} ${object.metadata?.name ?? "?"}`;
    let Model;
    try {
      Model = Object.values(await import(modelPath(object))).find(
        (value) => typeof value === "function" && value.name === object.kind,
      );
    } catch {
      // reported below
    }
    if (!Model) {
      problems.push(`${label}: no Kubernetes API schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${label}: ${error.message}`);
    }
    if (object.kind === "Deployment") problems.push(...heapCapProblems(label, object));
    objects.push({ label, object });
  }
}

// Unknown fields: one object literal per rendered object, typed with its API interface.
const scratch = mkdtempSync(join(repoRoot, "node_modules", ".check-kubernetes-"));
try {
  const file = join(scratch, "objects.ts");
  const lines = [];
  objects.forEach(({ object }, i) => {
    lines.push(`import type { I${object.kind} as T${i} } from "${modelPath(object)}";`);
    lines.push(`export const o${i}: T${i} = ${JSON.stringify(object)};`);
  });
  writeFileSync(file, `${lines.join("\n")}\n`);
  const program = ts.createProgram([file], {
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const line =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line
        : -1;
    const owner = objects[Math.floor(line / 2)]?.label ?? "objects.ts";
    problems.push(`${owner}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`kubernetes: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(
  `kubernetes: ${targets.length} kustomizations, ${objects.length} objects valid (${[...new Set(objects.map(({ object }) => object.kind))].join(", ")})`,
);
