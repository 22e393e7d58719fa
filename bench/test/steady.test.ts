import { describe, expect, it } from "vitest";
import { rssDrift, rssSpread } from "../src/steady.js";

describe("rssSpread", () => {
  it("measures the largest distance from the median once warmed up", () => {
    // The first tenth (t < 10 s of 100 s) is the warm-up and is left out.
    const samples = [
      { seconds: 0, rss: 50 },
      { seconds: 5, rss: 80 },
      { seconds: 10, rss: 100 },
      { seconds: 40, rss: 104 },
      { seconds: 70, rss: 96 },
      { seconds: 100, rss: 110 },
    ];
    const spread = rssSpread(samples);
    expect(spread.median).toBe(102);
    expect(spread.spread).toBeCloseTo(8 / 102);
    expect(spread.first).toBe(100);
    expect(spread.last).toBe(110);
    expect(spread.min).toBe(96);
    expect(spread.max).toBe(110);
  });

  it("reports growth as spread", () => {
    const growing = Array.from({ length: 11 }, (_, i) => ({ seconds: i * 10, rss: 100 + i * 10 }));
    expect(rssSpread(growing).spread).toBeGreaterThan(0.1);
  });
});

describe("rssDrift", () => {
  it("compares the last fifth of the warmed-up samples with the first fifth", () => {
    // Warmed up from t = 10 of 100: 10 samples; first fifth 100 and 104, last fifth 110 and 112.
    const rss = [50, 100, 104, 90, 120, 95, 105, 100, 98, 110, 112];
    const samples = rss.map((value, i) => ({ seconds: i * 10, rss: value }));
    expect(rssDrift(samples)).toBeCloseTo(111 / 102 - 1);
  });

  it("is about zero for a sawtooth that does not grow", () => {
    const samples = Array.from({ length: 41 }, (_, i) => ({ seconds: i * 15, rss: 200 + (i % 4) * 30 }));
    expect(Math.abs(rssDrift(samples))).toBeLessThan(0.1);
    expect(rssSpread(samples).spread).toBeGreaterThan(0.1);
  });
});
