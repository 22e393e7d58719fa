import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { heapFlags } from "../src/heap.js";
import { startService } from "../src/processes.js";

/** The heap limit (MB) V8 reports in a service started with `heapFlags(mb)` under a larger cap in NODE_OPTIONS. */
async function heapLimitOf(mb: number): Promise<number> {
  const entry = join(mkdtempSync(join(tmpdir(), "start-heap-")), "probe.mjs");
  writeFileSync(
    entry,
    'import { getHeapStatistics } from "node:v8";\nconsole.log(getHeapStatistics().heap_size_limit / 2 ** 20);\n',
  );
  const lines: string[] = [];
  const { child } = startService({
    name: "probe",
    entry,
    execArgv: heapFlags(mb),
    port: 0,
    env: { PATH: process.env.PATH, NODE_OPTIONS: "--max-old-space-size=3000" },
    output: (line) => lines.push(line),
    onExit: () => {},
  });
  await once(child, "exit");
  return Number(lines[0]);
}

describe("heapFlags", () => {
  it("caps the old generation of the service it starts, over a cap in NODE_OPTIONS", async () => {
    const [small, large] = await Promise.all([heapLimitOf(160), heapLimitOf(480)]);
    // V8's limit is the old generation's cap plus the young generation's, which depends on the Node version
    // (tens of MB on Node 20, more on Node 24) but not on the cap: the two limits differ by exactly the caps'
    // difference, and both are far below NODE_OPTIONS' 3000 MB.
    expect(large - small).toBeCloseTo(320, 0);
    expect(small).toBeGreaterThanOrEqual(160);
    expect(large).toBeLessThan(1000);
  });
});
