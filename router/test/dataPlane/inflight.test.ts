import { describe, expect, it } from "vitest";
import { InflightCalls } from "../../src/dataPlane/inflight.js";

describe("InflightCalls", () => {
  it("shares a call among callers of the same key and leaves its signal alone once it settled", async () => {
    const calls = new InflightCalls<string>();
    const signals: AbortSignal[] = [];
    let finish = (_: string) => undefined as void;
    const start = (signal: AbortSignal) => (signals.push(signal), new Promise<string>((resolve) => (finish = resolve)));
    const first = calls.run("k", start, undefined);
    const second = calls.run("k", start, undefined);
    finish("answer");
    expect(await Promise.all([first, second])).toEqual([
      { value: "answer", shared: false },
      { value: "answer", shared: true },
    ]);
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(false);
    expect(calls.size).toBe(0);
  });

  it("aborts the call once every caller gave up, and only then", async () => {
    const calls = new InflightCalls<string>();
    let signal: AbortSignal | undefined;
    const start = (s: AbortSignal) => ((signal = s), new Promise<string>(() => undefined));
    const [a, b] = [new AbortController(), new AbortController()];
    const first = calls.run("k", start, a.signal).catch((error: unknown) => error);
    const second = calls.run("k", start, b.signal).catch((error: unknown) => error);
    a.abort();
    await first;
    expect(signal?.aborted).toBe(false);
    b.abort();
    expect(await second).toMatchObject({ code: "SUBGRAPH_TIMEOUT", cancelled: true });
    expect(signal?.aborted).toBe(true);
  });
});
