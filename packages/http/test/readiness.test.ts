import { describe, expect, it } from "vitest";
import { checkReadiness } from "../src/readiness.js";

describe("checkReadiness", () => {
  it("is ready and degraded when a check reports a failing dependency the service works around", async () => {
    const report = await checkReadiness({
      supergraph: async () => true,
      "subgraph:reviews": async () => ({ ok: true, degraded: true, detail: "circuit open" }),
      "subgraph:catalog": async () => ({ ok: true }),
    });
    expect(report.ready).toBe(true);
    expect(report.degraded).toBe(true);
    expect(report.checks["subgraph:reviews"]).toMatchObject({ ok: true, degraded: true, detail: "circuit open" });
    expect(report.checks["subgraph:catalog"]).not.toHaveProperty("degraded");
  });

  it("is not ready when a check fails, throws or times out", async () => {
    const report = await checkReadiness(
      {
        a: async () => false,
        b: async () => Promise.reject(new Error("down\nfor good")),
        c: () => new Promise(() => undefined),
      },
      { timeoutMs: 50 },
    );
    expect(report).toMatchObject({ ready: false, degraded: false });
    expect(report.checks.b).toMatchObject({ ok: false, error: "for good" });
    expect(report.checks.c).toMatchObject({ ok: false, error: "no answer within 50 ms" });
  });
});
