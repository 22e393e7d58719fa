import { describe, expect, it } from "vitest";
import { GraphQLError } from "graphql";
import {
  ErrorCode,
  badRequest,
  forwardedSubgraphError,
  gatewayTimeout,
  httpStatusOf,
  internalServerError,
  isCodedError,
  subgraphFailed,
  unauthenticated,
  unauthorizedOperation,
  unknownOperation,
  withHttpStatus,
} from "../src/errors.js";

describe("subgraphFailed", () => {
  it("names the service, the code and the cause, at the given path, without an HTTP status", () => {
    const error = subgraphFailed(
      { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName: "reviews", reason: "connection refused" },
      ["products", 0, "rating"],
    );
    expect(error.path).toEqual(["products", 0, "rating"]);
    expect(error.extensions).toEqual({
      code: "SUBGRAPH_UNAVAILABLE",
      serviceName: "reviews",
      reason: "connection refused",
    });
    expect(error.message).toContain("reviews");
    expect(isCodedError(error)).toBe(true);
  });
});

describe("gatewayTimeout", () => {
  it("is HTTP 504 with the deadline", () => {
    expect(gatewayTimeout(10_000).extensions).toMatchObject({
      code: "GATEWAY_TIMEOUT",
      timeoutMs: 10_000,
      http: { status: 504 },
    });
  });
});

describe("HTTP status", () => {
  it("comes from the factory: request-level refusals carry one, resolver errors none", () => {
    expect(httpStatusOf(unauthorizedOperation(["User.email"]))).toBe(403);
    expect(unauthorizedOperation(["User.email"]).extensions).toMatchObject({
      code: "UNAUTHORIZED_FIELD_OR_TYPE",
      fields: ["User.email"],
    });
    expect(httpStatusOf(unknownOperation("B"))).toBe(400);
    expect(unknownOperation("B")).toMatchObject({
      message: 'Unknown operation named "B".',
      extensions: { code: "OPERATION_RESOLUTION_FAILURE" },
    });
    expect(unknownOperation(undefined).message).toBe(
      "Must provide operation name if query contains multiple operations.",
    );
    expect(badRequest("Not JSON.", "INVALID_JSON", 415).extensions).toEqual({
      code: "BAD_REQUEST",
      reason: "INVALID_JSON",
      http: { status: 415 },
    });
    expect(httpStatusOf(internalServerError("Not ready.", { status: 503 }))).toBe(503);
    expect(httpStatusOf(unauthenticated("Sign in.", "TOKEN_INVALID", 401))).toBe(401);
    expect(httpStatusOf(unauthenticated())).toBeUndefined();
    expect(httpStatusOf(internalServerError())).toBeUndefined();
  });

  it("is added to an error a shared function raised by withHttpStatus, and left alone on anything else", () => {
    expect(httpStatusOf(withHttpStatus(unauthenticated("Expired.", "TOKEN_EXPIRED"), 401))).toBe(401);
    const plain = new Error("not a GraphQL error");
    expect(withHttpStatus(plain, 401)).toBe(plain);
  });
});

describe("internalServerError", () => {
  it("is never client-safe, and keeps what caused it", () => {
    const cause = new Error("socket hang up");
    const error = internalServerError(cause.message, { originalError: cause });
    expect(error.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
    expect(error.originalError).toBe(cause);
    expect(isCodedError(error)).toBe(false);
  });
});

describe("forwardedSubgraphError", () => {
  it("keeps the subgraph's own code and extensions as given", () => {
    const error = forwardedSubgraphError("Nope.", {
      path: ["me"],
      extensions: { code: "THEIR_CODE", serviceName: "accounts" },
    });
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.path).toEqual(["me"]);
    expect(error.extensions).toEqual({ code: "THEIR_CODE", serviceName: "accounts" });
  });
});
