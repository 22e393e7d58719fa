import { describe, expect, it } from "vitest";
import type { GatewaySummary } from "../src/harness/stats.js";
import { formatMs, formatRps, renderTable } from "../src/harness/table.js";

const summary = (gateway: string, rps: number, p50: number, ratio: number, cpuRatio = ratio): GatewaySummary => ({
  gateway,
  rps,
  roundRps: [rps, rps],
  p50,
  p95: p50 * 2,
  p99: p50 * 3,
  errors: 0,
  cpuPercent: 95.4,
  cpuMsPerRequest: 1000 / rps,
  peakRss: 200 * 1024 * 1024,
  ratio,
  cpuRatio,
});

describe("renderTable", () => {
  it("renders one Markdown row per gateway with the ratio to the reference", () => {
    const table = renderTable([summary("router", 120, 4.2, 3), summary("vanilla", 40, 12.5, 1)], {
      reference: "vanilla",
    });
    expect(table.split("\n")).toEqual([
      "| Gateway | RPS | × vanilla | p50 ms | p95 ms | p99 ms | errors | CPU % | CPU ms/req | × vanilla by CPU | peak RSS MB | RPS per round |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      "| router | 120 | 3.00× | 4.20 | 8.40 | 12.6 | 0 | 95 | 8.33 | 3.00× | 200 | 120 / 120 |",
      "| vanilla | 40.0 | 1.00× | 12.5 | 25.0 | 37.5 | 0 | 95 | 25.0 | 1.00× | 200 | 40.0 / 40.0 |",
    ]);
  });

  it("adds each row's p50 over a direct call when asked", () => {
    const table = renderTable([summary("router", 500, 1.5, 1), summary("direct", 9000, 0.25, 18)], {
      reference: "router",
      overheadOver: "direct",
    });
    const [header, , router, direct] = table.split("\n");
    expect(header).toContain("| p50 over direct ms |");
    expect(router).toContain("| 1.25 |");
    expect(direct).toContain("| – |");
  });
});

describe("number formats", () => {
  it("keeps about three significant digits", () => {
    expect(formatRps(1234.5)).toBe("1235");
    expect(formatRps(33.27)).toBe("33.3");
    expect(formatMs(0.123)).toBe("0.12");
    expect(formatMs(55.55)).toBe("55.5");
    expect(formatMs(7700)).toBe("7700");
    expect(formatMs(NaN)).toBe("–");
  });
});
