import { describe, expect, it } from "vitest";
import { classifyOutcome, errorCodesOf, rejectionReasonOf, subgraphErrorsOf } from "../src/outcome.js";
import { createOperationNameFolder } from "../src/operationNames.js";

const error = (extensions: Record<string, unknown>) => ({ extensions });

describe("rejectionReasonOf", () => {
  it.each([
    [{ code: "MAX_DEPTH_LIMIT" }, "depth"],
    [{ code: "MAX_ALIASES_LIMIT" }, "limit"],
    [{ code: "MAX_BODY_BYTES_LIMIT" }, "limit"],
    [{ code: "COST_ESTIMATED_TOO_EXPENSIVE" }, "cost"],
    [{ code: "COST_BUDGET_EXHAUSTED" }, "rate"],
    [{ code: "UNAUTHENTICATED" }, "auth"],
    [{ code: "UNAUTHORIZED_FIELD_OR_TYPE" }, "auth"],
    [{ code: "PERSISTED_QUERY_NOT_IN_LIST" }, "safelist"],
  ])("%o → %s", (extensions, reason) => {
    expect(rejectionReasonOf(error(extensions))).toBe(reason);
  });

  it("does not count subgraph errors, plain validation errors or APQ misses as rejections", () => {
    expect(rejectionReasonOf(error({ code: "UNAUTHENTICATED", serviceName: "accounts" }))).toBeUndefined();
    expect(rejectionReasonOf(error({ code: "GRAPHQL_VALIDATION_FAILED" }))).toBeUndefined();
    expect(rejectionReasonOf(error({ code: "PERSISTED_QUERY_NOT_FOUND" }))).toBeUndefined();
    expect(rejectionReasonOf({})).toBeUndefined();
  });
});

describe("classifyOutcome", () => {
  it("tells success, partial, error, invalid and rejected apart", () => {
    expect(classifyOutcome(undefined, true)).toEqual({ outcome: "success" });
    expect(classifyOutcome([error({ code: "NOT_FOUND" })], true)).toEqual({ outcome: "partial" });
    expect(classifyOutcome([error({ code: "UNAUTHORIZED_FIELD_OR_TYPE" })], true)).toEqual({
      outcome: "partial",
      rejection: "auth",
    });
    expect(classifyOutcome([error({ code: "INTERNAL_SERVER_ERROR" })], false)).toEqual({ outcome: "error" });
    expect(classifyOutcome([error({ code: "GRAPHQL_PARSE_FAILED" })], false)).toEqual({ outcome: "invalid" });
    expect(classifyOutcome([error({ code: "MAX_DEPTH_LIMIT" })], false)).toEqual({
      outcome: "rejected",
      rejection: "depth",
    });
  });

  it("lists at most the first few error codes for logs", () => {
    expect(errorCodesOf([error({ code: "A" }), {}, error({ code: "B" })], 2)).toEqual(["A", "NO_CODE"]);
  });
});

describe("createOperationNameFolder", () => {
  it("keeps names up to the bound, then folds new ones to other; anonymous and non-names fold too", () => {
    const names = createOperationNameFolder({ maxNames: 2, allowed: ["Checkout"] });
    expect(names.fold("A")).toBe("A");
    expect(names.fold("B")).toBe("B");
    expect(names.fold("C")).toBe("other");
    expect(names.fold("A")).toBe("A");
    expect(names.fold("Checkout")).toBe("Checkout");
    expect(names.fold(undefined)).toBe("anonymous");
    expect(names.fold("")).toBe("anonymous");
    names.allow(["C"]);
    expect(names.fold("C")).toBe("C");
    expect(createOperationNameFolder().fold("not a name{}")).toBe("other");
  });
});

describe("subgraphErrorsOf", () => {
  it("names each failed subgraph once per code, with the cause when there is one", () => {
    const entityError = error({ code: "SUBGRAPH_UNAVAILABLE", serviceName: "reviews", reason: "connection refused" });
    const errors = [
      entityError,
      entityError,
      error({ code: "FORBIDDEN", serviceName: "orders" }),
      error({ code: "BAD_USER_INPUT" }),
    ];
    expect(subgraphErrorsOf(errors)).toEqual([
      { subgraph: "reviews", code: "SUBGRAPH_UNAVAILABLE", reason: "connection refused" },
      { subgraph: "orders", code: "FORBIDDEN" },
    ]);
  });
});
