/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) by self time: per package (our sources by file) and per
 * function, so a profile of the router under load reads as "where the time goes" in a few lines.
 *
 *   npm run profile:summary -w @commerce/router -- <file.cpuprofile> [--top=25]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a script lives: the npm package, a node built-in, or our own file (relative to the repo). */
export function ownerOf(url: string): string {
  if (url === "") return "(native)";
  if (url.startsWith("node:")) return "node:internal";
  const path = url.replace(/^file:\/\//, "");
  const modules = path.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const [scopeOrName = "", name = ""] = path.slice(modules + "/node_modules/".length).split("/");
    return scopeOrName.startsWith("@") ? `${scopeOrName}/${name}` : scopeOrName;
  }
  const repo = /\/(router|packages|subgraphs)\/(.*)$/.exec(path);
  return repo ? `${repo[1]}/${repo[2]}` : path;
}

export interface ProfileSummary {
  totalMs: number;
  byOwner: Array<{ name: string; ms: number; share: number }>;
  byFunction: Array<{ name: string; ms: number; share: number }>;
}

/** Self time per owner and per function, largest first; idle time is left out of the total. */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of self) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)") continue;
    total += micros;
    const special = frame.functionName.startsWith("(") && frame.url === "";
    const owner = special ? frame.functionName : ownerOf(frame.url);
    owners.set(owner, (owners.get(owner) ?? 0) + micros);
    const fn = special ? frame.functionName : `${frame.functionName || "(anonymous)"} ${owner}:${frame.lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + micros);
  }
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .map(([name, micros]) => ({ name, ms: micros / 1000, share: total === 0 ? 0 : micros / total }));
  return { totalMs: total / 1000, byOwner: rank(owners), byFunction: rank(functions) };
}

function main(): void {
  const file = process.argv.slice(2).find((arg) => !arg.startsWith("--"));
  if (!file) {
    console.error("usage: profileSummary <file.cpuprofile> [--top=25]");
    process.exit(2);
  }
  const top = Number(/--top=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 25);
  const summary = summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
  const line = (r: { name: string; ms: number; share: number }) =>
    `${(r.share * 100).toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`;
  console.log(`busy ${summary.totalMs.toFixed(0)} ms (idle excluded)\n\nself time by package:`);
  summary.byOwner.slice(0, top).forEach((r) => console.log(line(r)));
  console.log("\nself time by function:");
  summary.byFunction.slice(0, top).forEach((r) => console.log(line(r)));
}

if (import.meta.url === `file://${process.argv[1]}`) main();
