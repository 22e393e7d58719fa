import { describe, expect, it } from "vitest";
import { findGrouped, findKeyed } from "../src/batch.js";

interface Row {
  id: string;
  owner: string;
}

const rows: Row[] = [
  { id: "a", owner: "x" },
  { id: "b", owner: "y" },
  { id: "c", owner: "x" },
];

function recorder() {
  const calls: string[][] = [];
  const find = (keys: string[]) => {
    calls.push(keys);
    return Promise.resolve(rows.filter((row) => keys.includes(row.owner) || keys.includes(row.id)));
  };
  return { calls, find };
}

describe("findKeyed", () => {
  it("runs one query for the batch and keys its rows; keys without a row are absent", async () => {
    const { calls, find } = recorder();
    const found = await findKeyed(["a", "b", "z"], find, (row) => row.id);
    expect(calls).toEqual([["a", "b", "z"]]);
    expect([...found.keys()]).toEqual(["a", "b"]);
    expect(found.get("b")).toEqual({ id: "b", owner: "y" });
  });

  it("runs no query for an empty batch", async () => {
    const { calls, find } = recorder();
    expect((await findKeyed([], find, (row) => row.id)).size).toBe(0);
    expect(calls).toEqual([]);
  });
});

describe("findGrouped", () => {
  it("groups the rows by key in the query's order, every key present", async () => {
    const { calls, find } = recorder();
    const groups = await findGrouped(["x", "y", "w"], find, (row) => row.owner);
    expect(calls).toEqual([["x", "y", "w"]]);
    expect(groups.get("x")?.map((row) => row.id)).toEqual(["a", "c"]);
    expect(groups.get("y")?.map((row) => row.id)).toEqual(["b"]);
    expect(groups.get("w")).toEqual([]);
  });

  it("runs no query for an empty batch", async () => {
    const { calls, find } = recorder();
    expect((await findGrouped([], find, (row) => row.owner)).size).toBe(0);
    expect(calls).toEqual([]);
  });
});
