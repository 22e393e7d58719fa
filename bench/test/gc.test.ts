import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isGcTrace, parseFullGc, postGcHeap } from "../src/harness/gc.js";

describe("parseFullGc", () => {
  it("reads the heap after each full collection of a real --trace-gc run", () => {
    // Allocate and drop enough for Node to run both kinds of collection.
    const output = execFileSync(
      process.execPath,
      [
        "--trace-gc",
        "--max-old-space-size=64",
        "-e",
        "let a=[];for(let i=0;i<3e6;i++){a.push({i});if(a.length>4e5)a=[]}",
      ],
      { encoding: "utf8" },
    );
    const lines = output.split("\n").filter((line) => line.trim());
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every(isGcTrace)).toBe(true);
    const full = lines.map(parseFullGc).filter((gc) => gc !== undefined);
    expect(full.length).toBeGreaterThan(0);
    for (const gc of full) {
      expect(gc.after).toBeLessThanOrEqual(gc.before);
      expect(gc.after).toBeGreaterThan(0);
    }
    expect(isGcTrace('{"level":30,"msg":"operation"}')).toBe(false);
    expect(parseFullGc("[1:0x1]  5 ms: Scavenge 4.1 (4.2) -> 3.7 (5.2) MB, 2.98 / 0.00 ms")).toBeUndefined();
  });
});

describe("postGcHeap", () => {
  it("compares the first fifth of the collections with the last", () => {
    const gcs = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000].map((ms, i) => ({
      isolate: "0x1",
      ms,
      before: 200,
      after: i < 3 ? 50 : i > 7 ? 55 : 52,
    }));
    // A worker thread's small heap (another isolate) is left out.
    const worker = [150, 850].map((ms) => ({ isolate: "0x2", ms, before: 20, after: 12 }));
    const heap = postGcHeap([...gcs, ...worker].sort((a, b) => a.ms - b.ms));
    expect(heap).toMatchObject({ count: 11, first: 50, last: 55, min: 50, max: 55 });
    expect(heap.drift).toBeCloseTo(0.1, 10);
    expect(postGcHeap(gcs, { from: 950 })).toMatchObject({ count: 1, first: 55, drift: Number.NaN });
  });
});
