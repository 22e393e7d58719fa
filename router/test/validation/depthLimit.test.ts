import { buildSchema, parse, specifiedRules, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { DEPTH_LIMIT_EXCEEDED, depthLimitRule } from "../../src/validation/depthLimit.js";

const schema = buildSchema(`
  type Query { user: User, ping: String }
  type User { name: String, friends: [User!]!, meta: Meta }
  type Meta { tags: [String!]! }
`);

/** `{ user { friends { friends … { name } } } }` with `levels` nested `friends`: depth = levels + 1. */
function nested(levels: number): string {
  return `query Deep { user { ${"friends { ".repeat(levels)}name${" }".repeat(levels)} } }`;
}

function run(query: string, maxDepth: number, options: Parameters<typeof depthLimitRule>[0] = {}) {
  return validate(schema, parse(query), [...specifiedRules, depthLimitRule({ maxDepth, ...options })]);
}

describe("depthLimitRule", () => {
  it("passes operations at or within the limit", () => {
    expect(run(nested(3), 4)).toEqual([]);
    expect(run("{ ping }", 1)).toEqual([]);
  });

  it("rejects an operation over the limit with one coded error carrying the max", () => {
    const errors = run(nested(6), 4);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extensions).toEqual({ validationErrorCode: DEPTH_LIMIT_EXCEEDED, depth: { measured: 7, max: 4 } });
    expect(errors[0]?.message).toContain('"Deep"');
  });

  it("counts depth through fragments and inline fragments", () => {
    const query = `
      query Q { user { ...F } }
      fragment F on User { friends { ... on User { friends { meta { tags } } } } }
    `;
    // user 0 → friends 1 → friends 2 → meta 3 → tags 4
    expect(run(query, 4)).toEqual([]);
    expect(run(query, 3).map((e) => e.extensions.validationErrorCode)).toEqual([DEPTH_LIMIT_EXCEEDED]);
  });

  it("reports each offending operation of a document separately", () => {
    const errors = run(`${nested(1)} query Shallow { ping } query AlsoDeep { user { friends { friends { name } } } }`, 2);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('"AlsoDeep"'),
    ]);
    expect(run(`${nested(5)} query AlsoDeep { user { friends { friends { name } } } }`, 2)).toHaveLength(2);
  });

  it("does not count ignored fields or introspection", () => {
    expect(run(nested(6), 2, { ignore: ["friends"] })).toEqual([]);
    expect(run("{ __schema { types { fields { type { ofType { name } } } } } }", 1)).toEqual([]);
  });

  it("terminates on fragment cycles and leaves their reporting to graphql's NoFragmentCycles rule", () => {
    const spreadCycle = "query Q { user { ...A } } fragment A on User { ...B } fragment B on User { ...A }";
    const fieldCycle = "query Q { user { ...A } } fragment A on User { friends { ...A } }";
    const spreadErrors = run(spreadCycle, 5);
    expect(spreadErrors.some((e) => e.message.includes("Cannot spread fragment"))).toBe(true);
    expect(spreadErrors.every((e) => e.extensions.validationErrorCode === undefined)).toBe(true);
    expect(run(fieldCycle, 5).some((e) => e.message.includes("Cannot spread fragment"))).toBe(true);
  });

  it("terminates on spreads of unknown fragments", () => {
    const errors = run("query Q { user { ...Missing } }", 5);
    expect(errors.map((e) => e.message)).toEqual(['Unknown fragment "Missing".']);
  });

  it("works on its own, without graphql's other rules", () => {
    const errors = validate(schema, parse("query Q { user { ...A } } fragment A on User { ...A }"), [depthLimitRule({ maxDepth: 2 })]);
    expect(errors).toEqual([]);
    expect(validate(schema, parse(nested(3)), [depthLimitRule({ maxDepth: 2 })])).toHaveLength(1);
  });
});
