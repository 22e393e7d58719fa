import { describe, expect, it } from "vitest";
import { Kind } from "graphql";
import { DateTime } from "../src/scalars.js";

describe("DateTime", () => {
  it("serializes Dates and ISO strings as ISO 8601 and parses variables and literals into Dates", () => {
    const at = new Date("2026-03-01T12:00:00.000Z");
    expect(DateTime.serialize(at)).toBe("2026-03-01T12:00:00.000Z");
    expect(DateTime.serialize("2026-03-01T13:00:00+01:00")).toBe("2026-03-01T12:00:00.000Z");
    expect(DateTime.parseValue("2026-03-01T12:00:00Z")).toEqual(at);
    expect(DateTime.parseLiteral({ kind: Kind.STRING, value: "2026-03-01T12:00:00Z" })).toEqual(at);
  });

  it("refuses anything else with BAD_USER_INPUT", () => {
    const badInput = expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) });
    expect(() => DateTime.parseValue("not a date")).toThrow(badInput);
    expect(() => DateTime.parseValue(1_700_000_000_000)).toThrow(badInput);
    expect(() => DateTime.parseLiteral({ kind: Kind.INT, value: "1" })).toThrow(badInput);
  });
});
