import { describe, expect, it } from "vitest";
import { decodeCursorPayload, encodeCursor, MAX_PAGE_SIZE, pageRows, parsePageArgs } from "../src/pagination.js";

const decodeNumber = (cursor: string) => {
  const payload = decodeCursorPayload(cursor);
  return typeof payload?.n === "number" ? payload.n : null;
};

describe("cursors", () => {
  it("round-trips a position and refuses foreign or tampered cursors", () => {
    const cursor = encodeCursor({ n: 42 });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursorPayload(cursor)).toEqual({ v: 1, n: 42 });
    expect(decodeCursorPayload(Buffer.from(JSON.stringify({ v: 2, n: 42 })).toString("base64url"))).toBeNull();
    expect(decodeCursorPayload(Buffer.from("[1]").toString("base64url"))).toBeNull();
    expect(decodeCursorPayload("not a cursor!")).toBeNull();
    expect(decodeCursorPayload(cursor.slice(0, -3))).toBeNull();
  });
});

describe("parsePageArgs", () => {
  it("applies the default, decodes after, and rejects bad arguments by name", () => {
    expect(parsePageArgs({}, decodeNumber, 10)).toEqual({ first: 10, after: null });
    expect(parsePageArgs({ first: 5, after: encodeCursor({ n: 7 }) }, decodeNumber)).toEqual({ first: 5, after: 7 });
    for (const first of [-1, MAX_PAGE_SIZE + 1, 1.5]) {
      expect(() => parsePageArgs({ first }, decodeNumber)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field: "first" }) }));
    }
    expect(() => parsePageArgs({ after: "garbage" }, decodeNumber)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ field: "after" }) }));
  });

  it("drops the look-ahead row", () => {
    expect(pageRows({ rows: [1, 2, 3], first: 2 })).toEqual([1, 2]);
    expect(pageRows({ rows: [1, 2], first: 2 })).toEqual([1, 2]);
  });
});
