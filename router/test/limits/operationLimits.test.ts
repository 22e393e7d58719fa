import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { measureSource } from "../../src/limits/measureSource.js";
import { DEFAULT_OPERATION_LIMITS, checkBatchSize, checkOperationLimits, checkSourceLimits, limitError } from "../../src/limits/operationLimits.js";
import { cachedRequestLimits, checkRequestLimits } from "../../src/limits/requestLimits.js";
import { apiSchemaOf, composeSupergraph } from "../fixtures/subgraphs.js";

const limits = { ...DEFAULT_OPERATION_LIMITS, maxDepth: 3, maxHeight: 3, maxAliases: 1, maxRootFields: 2, maxDirectives: 1, maxSelections: 5, maxTokens: 30, maxRecursion: 4, maxBatchSize: 2 };

describe("measureSource", () => {
  it("counts tokens (not comments) and bracket nesting", () => {
    expect(measureSource("# hi\n{ a(x: [1, 2]) { b } }")).toEqual({ tokens: 14, nesting: 3 });
  });

  it("stops at a lexical error with what it counted", () => {
    expect(measureSource("{ a } \u0007 { b }").tokens).toBe(3);
  });
});

describe("operation limits", () => {
  const violations = (query: string) => checkOperationLimits(parse(query), limits).map((v) => [v.code, v.measured, v.max]);

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
    expect(error.extensions).toEqual({ code: "MAX_DEPTH_LIMIT", limit: { measured: 9, max: 3 }, http: { status: 400 } });
  });
});

describe("cachedRequestLimits", () => {
  it("answers as checkRequestLimits does, for each operation name, batch and schema, also when asked again", () => {
    const cached = cachedRequestLimits(limits, { max: 10 });
    const schema = apiSchemaOf(composeSupergraph());
    const payloads = [
      { body: [{ query: "{ a }" }, { query: "{ a b c }" }] },
      { body: [{ query: "{ a }" }, { query: "{ a }" }, { query: "{ a }" }] },
      { body: { query: "query A { a } query B { a b c }", operationName: "A" } },
      { body: { query: "query A { a } query B { a b c }", operationName: "B" } },
      { body: { query: "{ x: a y: a }" } },
      { body: { query: "{".repeat(2_000) } },
      { body: { query: "{ me { favorites { name } } product(id: 1) { name price } }" } },
    ];
    for (const round of [1, 2]) {
      for (const payload of payloads) {
        for (const options of [{}, { schema }]) expect(cached(payload, options), `round ${round}`).toEqual(checkRequestLimits(payload, limits, options));
      }
    }
  });

  it("answers documents over a tenth of its budget (never kept) like checkRequestLimits", () => {
    const cached = cachedRequestLimits(limits, { maxCharacters: 100 });
    const big = { body: { query: `{ a ${"b ".repeat(20)}}` } };
    expect(cached(big)).toEqual(checkRequestLimits(big, limits));
    expect(cached(big)).toEqual(checkRequestLimits(big, limits));
  });
});

describe("checkRequestLimits", () => {
  it("checks every operation of a batch, GET parameters, and the named operation", () => {
    expect(checkRequestLimits({ body: [{ query: "{ a }" }, { query: "{ a b c }" }] }, limits).map((v) => v.code)).toEqual(["MAX_ROOT_FIELDS_LIMIT"]);
    expect(checkRequestLimits({ query: { query: "{ x: a y: a }" } }, limits).map((v) => v.code)).toEqual(["MAX_ALIASES_LIMIT"]);
    expect(checkRequestLimits({ body: { query: "query A { a } query B { a b c }", operationName: "A" } }, limits)).toEqual([]);
  });

  it("leaves documents that do not parse, and bodies without a query, to Apollo", () => {
    expect(checkRequestLimits({ body: { query: "{ a " } }, limits)).toEqual([]);
    expect(checkRequestLimits({ body: { extensions: { persistedQuery: {} } } }, limits)).toEqual([]);
  });

  it("does not parse a document over the source limits", () => {
    expect(checkRequestLimits({ body: { query: "{".repeat(100_000) } }, limits).map((v) => v.code)).toEqual(["MAX_TOKENS_LIMIT", "MAX_RECURSION_LIMIT"]);
  });
});
