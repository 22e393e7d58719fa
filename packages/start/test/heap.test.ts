import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HEAP_GROWING_FLAG, HEAP_TUNING_FLAGS, heapFlags } from "../src/heap.js";
import { startService } from "../src/processes.js";

/** Runs `source` as a service started with `execArgv` under a larger cap in NODE_OPTIONS; its first output line. */
async function probe(source: string, execArgv: string[]): Promise<number> {
  const entry = join(mkdtempSync(join(tmpdir(), "start-heap-")), "probe.mjs");
  writeFileSync(entry, source);
  const lines: string[] = [];
  const { child } = startService({
    name: "probe",
    entry,
    execArgv,
    port: 0,
    env: { PATH: process.env.PATH, NODE_OPTIONS: "--max-old-space-size=3000" },
    output: (line) => lines.push(line),
    onExit: () => {},
  });
  await once(child, "exit");
  return Number(lines[0]);
}

const HEAP_LIMIT = `import { getHeapStatistics } from "node:v8";
console.log(getHeapStatistics().heap_size_limit / 2 ** 20);
`;

// A service's pattern under load: a small heap it keeps (about 20 MB) and short-lived data that survives young
// collections, is promoted and dies in the old generation. Prints how many full collections it took.
const FULL_COLLECTIONS = `import { PerformanceObserver, constants } from "node:perf_hooks";
let full = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full += 1;
});
observer.observe({ entryTypes: ["gc"] });
const kept = [];
for (let i = 0; i < 200_000; i += 1) kept.push({ i, name: "item" + i });
const inFlight = new Array(300_000);
for (let i = 0; i < 6_000_000; i += 1) inFlight[i % inFlight.length] = { i, payload: "p" + i, list: [i, i] };
// GC entries are delivered after the collection: give the observer time to see the last ones.
setTimeout(() => {
  observer.disconnect();
  console.log(kept.length > 0 ? full : -1);
}, 200);
`;

describe("heapFlags", () => {
  it("caps the old generation of the service it starts, over a cap in NODE_OPTIONS", async () => {
    const [small, large] = await Promise.all([probe(HEAP_LIMIT, heapFlags(160)), probe(HEAP_LIMIT, heapFlags(480))]);
    // V8's limit is the old generation's cap plus the young generation's, which does not depend on the cap: the
    // two limits differ by exactly the caps' difference, and both are far below NODE_OPTIONS' 3000 MB.
    expect(large - small).toBeCloseTo(320, 0);
    expect(large).toBeLessThan(1000);
  });

  it("gives every Node version the same young generation: three 64 MB semi-spaces beside the old generation", async () => {
    // Without the flag Node 20 reserves 48 MB (16 MB semi-spaces) and Node 24 192 MB.
    expect(await probe(HEAP_LIMIT, heapFlags(160))).toBeCloseTo(160 + 3 * 64, 0);
  });

  it("keeps V8's large-heap growing factor under the cap: fewer full collections than the cap alone", async () => {
    // The cap with and without the factor, at V8's own young generation: a larger one (heapFlags' semi-spaces)
    // promotes less of this workload, which hides the factor's effect on it.
    const cap = "--max-old-space-size=256";
    const [capOnly, flags] = await Promise.all([
      probe(FULL_COLLECTIONS, [cap]),
      probe(FULL_COLLECTIONS, [cap, HEAP_GROWING_FLAG]),
    ]);
    // V8 counts allocation, not time, so both figures are the same on every run of one Node version.
    expect(flags).toBeGreaterThan(0);
    expect(flags).toBeLessThanOrEqual(capOnly * 0.7);
  });
});

describe("the launch paths outside npm start", () => {
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  // Everything but the cap, which each path sets from its own variable.
  const flags = HEAP_TUNING_FLAGS;

  it("run every Node service with npm start's heap flags (docker compose, Kubernetes, deploy:check)", () => {
    const kubernetes = join(root, "deploy/kubernetes/base");
    const files = [
      join(root, "docker-compose.yml"),
      ...readdirSync(kubernetes)
        .filter((name) => name.endsWith(".yaml"))
        .map((name) => join(kubernetes, name)),
    ];
    const commands = files.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => /command: \["node",/.test(line))
        .map((line) => ({ file, line: line.trim() })),
    );
    expect(flags.length).toBeGreaterThan(0);
    // Six in compose, six Deployments.
    expect(commands.length).toBeGreaterThanOrEqual(12);
    expect(commands.filter(({ line }) => flags.some((flag) => !line.includes(`"${flag}"`)))).toEqual([]);
    const check = readFileSync(join(root, "scripts/check-kubernetes.mjs"), "utf8");
    expect(flags.filter((flag) => !check.includes(`"${flag}"`))).toEqual([]);
  });
});
