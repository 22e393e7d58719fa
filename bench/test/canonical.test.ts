import { describe, expect, it } from "vitest";
import { canonicalJson, firstDifference } from "../src/harness/canonical.js";

describe("canonicalJson", () => {
  it("sorts object keys at every level and keeps array order", () => {
    const a = { data: { b: 1, a: [{ y: 2, x: 1 }, { z: null }] }, errors: undefined };
    const b = { data: { a: [{ x: 1, y: 2 }, { z: null }], b: 1 } };
    expect(canonicalJson(a)).toBe('{"data":{"a":[{"x":1,"y":2},{"z":null}],"b":1}}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it("tells arrays in another order apart", () => {
    expect(canonicalJson({ list: [1, 2] })).not.toBe(canonicalJson({ list: [2, 1] }));
  });

  it("tells a null apart from a missing key", () => {
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });
});

describe("firstDifference", () => {
  it("is undefined for equal texts", () => {
    expect(firstDifference("abc", "abc")).toBeUndefined();
  });

  it("names the first differing character with context", () => {
    expect(firstDifference('{"a":1,"b":2}', '{"a":1,"b":3}', 3)).toBe('at character 11: …b":2}… vs …b":3}…');
  });
});
