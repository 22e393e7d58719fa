import { describe, expect, it } from "vitest";
import { causeOf } from "../src/harness/load.js";
import { describeCauses } from "../src/harness/scenario.js";

describe("failure causes", () => {
  it("names a failed answer by its status and its distinct GraphQL error codes", () => {
    const body = JSON.stringify({
      data: { products: null },
      errors: [
        { message: "a", extensions: { code: "SUBGRAPH_TIMEOUT", serviceName: "reviews" } },
        { message: "b", extensions: { code: "DOWNSTREAM_SERVICE_ERROR" } },
        { message: "c", extensions: { code: "SUBGRAPH_TIMEOUT" } },
      ],
    });
    expect(causeOf(200, body)).toBe("HTTP 200 DOWNSTREAM_SERVICE_ERROR, SUBGRAPH_TIMEOUT");
    expect(causeOf(503, "Service Unavailable")).toBe("HTTP 503");
  });

  it("lists causes most frequent first", () => {
    expect(describeCauses({ "HTTP 503": 2, "HTTP 200 SUBGRAPH_TIMEOUT": 20 })).toBe(
      "HTTP 200 SUBGRAPH_TIMEOUT × 20, HTTP 503 × 2",
    );
  });
});
