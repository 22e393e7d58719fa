import { describe, expect, it } from "vitest";
import { rssSpread } from "../src/steady.js";

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
