import { describe, expect, it } from "vitest";
import { ErrorCode, gatewayTimeout, isCodedError, subgraphFailed } from "../src/errors.js";

describe("subgraphFailed", () => {
  it("names the service, the code and the cause, at the given path, without an HTTP status", () => {
    const error = subgraphFailed({ code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName: "reviews", reason: "connection refused" }, ["products", 0, "rating"]);
    expect(error.path).toEqual(["products", 0, "rating"]);
    expect(error.extensions).toEqual({ code: "SUBGRAPH_UNAVAILABLE", serviceName: "reviews", reason: "connection refused" });
    expect(error.message).toContain("reviews");
    expect(isCodedError(error)).toBe(true);
  });
});

describe("gatewayTimeout", () => {
  it("is HTTP 504 with the deadline", () => {
    expect(gatewayTimeout(10_000).extensions).toMatchObject({ code: "GATEWAY_TIMEOUT", timeoutMs: 10_000, http: { status: 504 } });
  });
});
