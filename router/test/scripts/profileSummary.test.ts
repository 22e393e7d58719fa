import { describe, expect, it } from "vitest";
import { ownerOf, summarizeProfile } from "../../scripts/profileSummary.js";

describe("profileSummary", () => {
  it("names the owner of a script: npm package, node built-in, or our file", () => {
    expect(ownerOf("file:///app/node_modules/@apollo/gateway/dist/executeQueryPlan.js")).toBe("@apollo/gateway");
    expect(ownerOf("file:///app/node_modules/.pnpm/x/node_modules/graphql/execution/execute.js")).toBe("graphql");
    expect(ownerOf("node:internal/streams/writable")).toBe("node:internal");
    expect(ownerOf("file:///work/repo/router/dist/executor/responseShape.js")).toBe(
      "router/dist/executor/responseShape.js",
    );
    expect(ownerOf("")).toBe("(native)");
  });

  it("sums self time by owner and by function, idle left out", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
    const summary = summarizeProfile({
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2, 3, 4] },
        { id: 2, callFrame: frame("(idle)", "") },
        { id: 3, callFrame: frame("deepMerge", "file:///a/node_modules/@apollo/gateway/dist/utilities/deepMerge.js") },
        { id: 4, callFrame: frame("(garbage collector)", "") },
      ],
      samples: [2, 3, 3, 4, 2],
      timeDeltas: [5000, 1000, 2000, 1000, 9000],
    });
    expect(summary.totalMs).toBe(4);
    expect(summary.byOwner).toEqual([
      { name: "@apollo/gateway", ms: 3, share: 0.75 },
      { name: "(garbage collector)", ms: 1, share: 0.25 },
    ]);
    expect(summary.byFunction[0]).toEqual({ name: "deepMerge @apollo/gateway:10", ms: 3, share: 0.75 });
  });
});
