import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../src/passwords.js";

const COST = 10;

describe("hashPassword", () => {
  it("encodes the algorithm, its parameters, a 16-byte salt and the key", async () => {
    const hash = await hashPassword("correct horse battery staple", COST);
    const [algorithm, cost, blockSize, parallelism, salt, key] = hash.split("$");
    expect([algorithm, cost, blockSize, parallelism]).toEqual(["scrypt", "10", "8", "1"]);
    expect(Buffer.from(salt ?? "", "base64url")).toHaveLength(16);
    expect(Buffer.from(key ?? "", "base64url")).toHaveLength(32);
  });

  it("salts every hash, so equal passwords hash differently", async () => {
    const [a, b] = await Promise.all([
      hashPassword("same password here", COST),
      hashPassword("same password here", COST),
    ]);
    expect(a).not.toBe(b);
  });

  it("refuses costs outside 10..20", async () => {
    await expect(hashPassword("correct horse battery staple", 9)).rejects.toThrow(RangeError);
    await expect(hashPassword("correct horse battery staple", 21)).rejects.toThrow(RangeError);
    await expect(hashPassword("correct horse battery staple", 12.5)).rejects.toThrow(RangeError);
  });
});

describe("verifyPassword", () => {
  it("accepts the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery staple", COST);
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("reads the cost from the stored hash, so raising the default keeps old hashes valid", async () => {
    const cheap = await hashPassword("correct horse battery staple", 10);
    const dearer = await hashPassword("correct horse battery staple", 12);
    expect(await verifyPassword("correct horse battery staple", cheap)).toBe(true);
    expect(await verifyPassword("correct horse battery staple", dearer)).toBe(true);
  });

  it("treats a tampered or malformed hash as a mismatch", async () => {
    const hash = await hashPassword("correct horse battery staple", COST);
    const parts = hash.split("$");
    const withCost = (cost: string) => [parts[0], cost, ...parts.slice(2)].join("$");
    expect(await verifyPassword("correct horse battery staple", withCost("11"))).toBe(false);
    expect(await verifyPassword("correct horse battery staple", withCost("40"))).toBe(false);
    expect(await verifyPassword("correct horse battery staple", hash.replace(/^scrypt/, "bcrypt"))).toBe(false);
    expect(await verifyPassword("correct horse battery staple", parts.slice(0, 5).join("$"))).toBe(false);
    expect(await verifyPassword("correct horse battery staple", "")).toBe(false);
  });

  it("normalises Unicode, so composed and decomposed forms are the same password", async () => {
    const composed = "caf\u00e9 au lait, s'il vous pla\u00eet";
    const decomposed = composed.normalize("NFD");
    expect(decomposed).not.toBe(composed);
    expect(await verifyPassword(decomposed, await hashPassword(composed, COST))).toBe(true);
  });
});
