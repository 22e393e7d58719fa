import { describe, expect, it } from "vitest";
import { median, percentile, summarize, type RoundResult } from "../src/harness/stats.js";

const round = (
  gateway: string,
  ok: number,
  seconds: number,
  latencies: number[],
  cpuSeconds = 0,
  errors = 0,
): RoundResult => ({ gateway, ok, errors, seconds, latencies, cpuSeconds });

describe("percentile", () => {
  it("takes the nearest rank of sorted values", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it("is NaN without values", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("median", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe("summarize", () => {
  it("reports the median round's RPS and the ratio to the reference of the same run", () => {
    const rounds = [
      round("router", 100, 10, [10]),
      round("vanilla", 50, 10, [20]),
      round("router", 300, 10, [10]),
      round("vanilla", 40, 10, [20]),
      round("router", 200, 10, [10]),
      round("vanilla", 60, 10, [20]),
    ];
    const [router, vanilla] = summarize(rounds, { reference: "vanilla" });
    expect(router?.gateway).toBe("router");
    expect(router?.roundRps).toEqual([10, 30, 20]);
    expect(router?.rps).toBe(20);
    expect(vanilla?.rps).toBe(5);
    expect(router?.ratio).toBe(4);
    expect(vanilla?.ratio).toBe(1);
  });

  it("reports each gateway's CPU cost per response and the reference's cost over it", () => {
    const [router, vanilla] = summarize([round("router", 100, 10, [1], 2), round("vanilla", 50, 10, [1], 4)], {
      reference: "vanilla",
    });
    expect(router?.cpuMsPerRequest).toBe(20);
    expect(vanilla?.cpuMsPerRequest).toBe(80);
    expect(router?.cpuRatio).toBe(4);
  });

  it("pools latencies of every round for the percentiles", () => {
    const [only] = summarize([round("a", 1, 1, [5, 1, 3]), round("a", 1, 1, [4, 2])]);
    expect(only?.p50).toBe(3);
    expect(only?.p99).toBe(5);
  });

  it("sums errors and averages CPU over the measured time", () => {
    const [only] = summarize([round("a", 10, 10, [1], 5, 2), round("a", 10, 30, [1], 15, 1)], { peakRss: { a: 1024 } });
    expect(only?.errors).toBe(3);
    expect(only?.cpuPercent).toBe(50);
    expect(only?.cpuMsPerRequest).toBe(1000);
    expect(only?.peakRss).toBe(1024);
  });

  it("leaves the ratio unknown without the reference", () => {
    const [only] = summarize([round("a", 10, 1, [1])], { reference: "vanilla" });
    expect(only?.ratio).toBeNaN();
  });
});
