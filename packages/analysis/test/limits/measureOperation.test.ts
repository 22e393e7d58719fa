import depthLimit from "graphql-depth-limit";
import { buildSchema, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { measureOperation } from "../../src/limits/measureOperation.js";

const schema = buildSchema(`
  type Query { user: User, ping: String, users: [User!]! }
  type User { id: ID!, name: String, friends: [User!]!, meta: Meta }
  type Meta { tags: [String!]! }
`);

/** A chain of `levels` fragments, each spreading the next twice: 2^levels expanded selections. */
function fragmentBomb(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `query Bomb { ...F0 } ${fragments.join(" ")} fragment F${levels} on Query { ping }`;
}

/** graphql-depth-limit's own depth (it reports when a depth is over the max). */
function referenceDepth(query: string): number {
  for (let max = 0; max < 50; max += 1) {
    let over = false;
    depthLimit(max)({ getDocument: () => parse(query), reportError: () => (over = true) });
    if (!over) return max;
  }
  return Infinity;
}

describe("measureOperation", () => {
  it("measures depth, height, aliases, root fields, directives and selections", () => {
    const measured = measureOperation(
      parse(`query Q { a: user { name friends { name @include(if: true) } } b: user { name } ping }`),
      { schema },
    );
    expect(measured).toEqual({ depth: 2, height: 4, aliases: 2, rootFields: 3, directives: 1, selections: 7 });
  });

  it("agrees with graphql-depth-limit on ordinary documents, fragments and inline fragments included", () => {
    for (const query of [
      "{ ping }",
      "{ user { friends { friends { meta { tags } } } } }",
      "query Q { user { ...F } } fragment F on User { friends { ... on User { meta { tags } } } }",
      "{ user { __typename friends { name } } }",
    ]) {
      expect(measureOperation(parse(query)).depth).toBe(referenceDepth(query));
    }
  });

  it("counts a fragment bomb's expansion without expanding it", () => {
    const measured = measureOperation(parse(fragmentBomb(40)), { schema });
    expect(measured.selections).toBe(2 ** 40);
    expect(measured.height).toBe(1);
    expect(measured.rootFields).toBe(2 ** 40);
  });

  it("measures depth spread across a chain of fragments", () => {
    const chain = Array.from({ length: 50 }, (_, i) => `fragment F${i} on User { friends { ...F${i + 1} } }`);
    const query = `query Q { user { ...F0 } } ${chain.join(" ")} fragment F50 on User { name }`;
    expect(measureOperation(parse(query), { schema }).depth).toBe(51);
  });

  it("terminates on fragment cycles and unknown fragments", () => {
    expect(measureOperation(parse("query Q { user { ...A } } fragment A on User { friends { ...A } }")).depth).toBe(2);
    expect(
      measureOperation(parse("query Q { user { ...A } } fragment A on User { ...B } fragment B on User { ...A }"))
        .depth,
    ).toBe(1);
    expect(measureOperation(parse("query Q { user { ...Missing } }")).selections).toBe(1);
  });

  it("measures the named operation, else the largest", () => {
    const document = parse("query Small { ping } query Big { user { friends { name } } }");
    expect(measureOperation(document, { operationName: "Small" }).depth).toBe(0);
    expect(measureOperation(document).depth).toBe(2);
  });

  it("skips introspection and ignored fields in the depth", () => {
    expect(measureOperation(parse("{ __schema { types { fields { name } } } }")).depth).toBe(0);
    expect(measureOperation(parse("{ user { friends { friends { name } } } }"), { ignore: ["friends"] }).depth).toBe(1);
    expect(measureOperation(parse("{ user { friends { friends { name } } } }"), { ignore: [/^fri/] }).depth).toBe(1);
  });
});
