import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { heapFlags } from "../src/heap.js";
import { startService } from "../src/processes.js";

describe("heapFlags", () => {
  it("caps the old generation of the service it starts, over a cap in NODE_OPTIONS", async () => {
    const entry = join(mkdtempSync(join(tmpdir(), "start-heap-")), "probe.mjs");
    writeFileSync(
      entry,
      'import { getHeapStatistics } from "node:v8";\nconsole.log(getHeapStatistics().heap_size_limit / 2 ** 20);\n',
    );
    const lines: string[] = [];
    const { child } = startService({
      name: "probe",
      entry,
      execArgv: heapFlags(160),
      port: 0,
      env: { PATH: process.env.PATH, NODE_OPTIONS: "--max-old-space-size=3000" },
      output: (line) => lines.push(line),
      onExit: () => {},
    });
    await once(child, "exit");
    // The limit V8 reports is the old generation's cap plus the young generation's (a few MB to tens of MB).
    const limit = Number(lines[0]);
    expect(limit).toBeGreaterThanOrEqual(160);
    expect(limit).toBeLessThan(240);
  });
});
