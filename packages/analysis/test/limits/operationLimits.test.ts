import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { measureSource } from "../../src/limits/measureSource.js";
import {
  DEFAULT_OPERATION_LIMITS,
  checkBatchSize,
  checkOperationLimits,
  checkSourceLimits,
  limitError,
  measureOperationLimits,
} from "../../src/limits/operationLimits.js";

const limits = {
  ...DEFAULT_OPERATION_LIMITS,
  maxDepth: 3,
  maxHeight: 3,
  maxAliases: 1,
  maxRootFields: 2,
  maxDirectives: 1,
  maxSelections: 5,
  maxTokens: 30,
  maxRecursion: 4,
  maxBatchSize: 2,
};

describe("measureSource", () => {
  it("counts tokens (not comments) and bracket nesting", () => {
    expect(measureSource("# hi\n{ a(x: [1, 2]) { b } }")).toEqual({ tokens: 14, nesting: 3 });
  });

  it("stops at a lexical error with what it counted", () => {
    expect(measureSource("{ a } \u0007 { b }").tokens).toBe(3);
  });
});

describe("operation limits", () => {
  const violations = (query: string) =>
    checkOperationLimits(parse(query), limits).map((v) => [v.code, v.measured, v.max]);

  it("passes an operation within every limit", () => {
    expect(violations("{ a { b } c }")).toEqual([]);
  });

  it("names each exceeded limit with the measured value and the max", () => {
    expect(violations("{ a { b { c } } }")).toEqual([]);
    expect(checkOperationLimits(parse("{ a { a { a { a { a } } } } }"), { ...limits, maxHeight: 10 })).toEqual([
      { limit: "maxDepth", code: "MAX_DEPTH_LIMIT", measured: 4, max: 3 },
    ]);
    expect(violations("{ a b c }")).toEqual([["MAX_ROOT_FIELDS_LIMIT", 3, 2]]);
    expect(violations("{ x: a y: a }")).toEqual([["MAX_ALIASES_LIMIT", 2, 1]]);
    expect(violations("{ a @skip(if: false) @include(if: true) }")).toEqual([["MAX_DIRECTIVES_LIMIT", 2, 1]]);
    expect(violations("{ a { b c d e } }")).toEqual([["MAX_HEIGHT_LIMIT", 5, 3]]);
    expect(violations("{ a { b b b b b } }")).toEqual([["MAX_SELECTIONS_LIMIT", 6, 5]]);
  });

  it("measures every document limit, over or not, in the same order as the checks", () => {
    const measured = measureOperationLimits(parse("{ x: a { b } c }"), limits);
    expect(measured.map((m) => [m.limit, m.measured, m.max])).toEqual([
      ["maxDepth", 1, 3],
      ["maxHeight", 3, 3],
      ["maxAliases", 1, 1],
      ["maxRootFields", 2, 2],
      ["maxDirectives", 0, 1],
      ["maxSelections", 3, 5],
    ]);
    expect(checkOperationLimits(parse("{ x: a { b } c }"), limits)).toEqual([]);
  });

  it("checks tokens and parser recursion on the source", () => {
    const source = (query: string) => checkSourceLimits(query, limits).map((v) => [v.code, v.measured, v.max]);
    expect(source("{ a }")).toEqual([]);
    expect(source(`{ ${"a ".repeat(40)}}`)).toEqual([["MAX_TOKENS_LIMIT", 42, 30]]);
    expect(source("{ a { b { c { d { e } } } } }")).toEqual([["MAX_RECURSION_LIMIT", 5, 4]]);
  });

  it("checks the batch size", () => {
    expect(checkBatchSize([{}, {}], limits)).toBeUndefined();
    expect(checkBatchSize({}, limits)).toBeUndefined();
    expect(checkBatchSize([{}, {}, {}], limits)).toMatchObject({ code: "MAX_BATCH_SIZE_LIMIT", measured: 3, max: 2 });
  });

  it("turns a violation into a 400 error with the limit's code and details", () => {
    const error = limitError({ limit: "maxDepth", code: "MAX_DEPTH_LIMIT", measured: 9, max: 3 });
    expect(error.extensions).toEqual({
      code: "MAX_DEPTH_LIMIT",
      limit: { measured: 9, max: 3 },
      http: { status: 400 },
    });
  });
});
