import { DEFAULT_OPERATION_LIMITS } from "@commerce/analysis";
import { describe, expect, it } from "vitest";
import { cachedRequestLimits, checkRequestLimits } from "../../src/limits/requestLimits.js";
import { apiSchemaOf, composeSupergraph } from "../fixtures/subgraphs.js";

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
        for (const options of [{}, { schema }])
          expect(cached(payload, options), `round ${round}`).toEqual(checkRequestLimits(payload, limits, options));
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
    expect(
      checkRequestLimits({ body: [{ query: "{ a }" }, { query: "{ a b c }" }] }, limits).map((v) => v.code),
    ).toEqual(["MAX_ROOT_FIELDS_LIMIT"]);
    expect(checkRequestLimits({ query: { query: "{ x: a y: a }" } }, limits).map((v) => v.code)).toEqual([
      "MAX_ALIASES_LIMIT",
    ]);
    expect(
      checkRequestLimits({ body: { query: "query A { a } query B { a b c }", operationName: "A" } }, limits),
    ).toEqual([]);
  });

  it("leaves documents that do not parse, and bodies without a query, to Apollo", () => {
    expect(checkRequestLimits({ body: { query: "{ a " } }, limits)).toEqual([]);
    expect(checkRequestLimits({ body: { extensions: { persistedQuery: {} } } }, limits)).toEqual([]);
  });

  it("does not parse a document over the source limits", () => {
    expect(checkRequestLimits({ body: { query: "{".repeat(100_000) } }, limits).map((v) => v.code)).toEqual([
      "MAX_TOKENS_LIMIT",
      "MAX_RECURSION_LIMIT",
    ]);
  });
});
