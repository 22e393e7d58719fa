import { describe, expect, it } from "vitest";
import {
  connectionResolvers,
  decodeCreatedAtCursor,
  decodeCursorPayload,
  encodeCreatedAtCursor,
  encodeCursor,
  MAX_PAGE_SIZE,
  pageRows,
  parsePageArgs,
} from "../src/pagination.js";

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
      expect(() => parsePageArgs({ first }, decodeNumber)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field: "first" }) }),
      );
    }
    expect(() => parsePageArgs({ after: "garbage" }, decodeNumber)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ field: "after" }) }),
    );
  });

  it("drops the look-ahead row", () => {
    expect(pageRows({ rows: [1, 2, 3], first: 2 })).toEqual([1, 2]);
    expect(pageRows({ rows: [1, 2], first: 2 })).toEqual([1, 2]);
  });
});

describe("(createdAt, id) cursors", () => {
  const row = { createdAt: new Date("2026-03-01T12:00:00.123Z"), id: "0F8FAD5B-D9CB-469F-A165-70867728950E" };

  it("round-trips the position to the millisecond, the id lower-cased", () => {
    expect(decodeCreatedAtCursor(encodeCreatedAtCursor(row))).toEqual({
      createdAt: row.createdAt,
      id: row.id.toLowerCase(),
    });
  });

  it("refuses a cursor of another shape", () => {
    expect(decodeCreatedAtCursor(encodeCursor({ n: 42 }))).toBeNull();
    expect(decodeCreatedAtCursor(encodeCursor({ c: "yesterday", i: row.id }))).toBeNull();
    expect(decodeCreatedAtCursor(encodeCursor({ c: 1, i: "not-a-uuid" }))).toBeNull();
  });

  it("resolves edges and pageInfo of a page, without the look-ahead row", () => {
    const rows = [0, 1, 2].map((n) => ({ id: String(n) }));
    const connection = connectionResolvers<{ id: string }>((r) => `c${r.id}`);
    expect(connection.edges({ rows, first: 2 })).toEqual([
      { cursor: "c0", node: rows[0] },
      { cursor: "c1", node: rows[1] },
    ]);
    expect(connection.pageInfo({ rows, first: 2 })).toEqual({ hasNextPage: true, endCursor: "c1" });
    expect(connection.pageInfo({ rows: [], first: 2 })).toEqual({ hasNextPage: false, endCursor: null });
  });
});
