import { describe, expect, it } from "vitest";
import { parsePlaceOrderInput } from "../src/orderInput.js";
import { allowedSources, canTransition } from "../src/statusMachine.js";

describe("status machine", () => {
  it("allows exactly the documented moves", () => {
    const allowed = (["PLACED", "PREPARING", "READY", "COMPLETED", "CANCELLED"] as const).flatMap((from) =>
      (["PLACED", "PREPARING", "READY", "COMPLETED", "CANCELLED"] as const)
        .filter((to) => canTransition(from, to))
        .map((to) => `${from}->${to}`),
    );
    expect(allowed).toEqual([
      "PLACED->PREPARING",
      "PLACED->CANCELLED",
      "PREPARING->READY",
      "PREPARING->CANCELLED",
      "READY->COMPLETED",
    ]);
  });

  it("derives the statuses the conditional update may start from", () => {
    expect(allowedSources("CANCELLED")).toEqual(["PLACED", "PREPARING"]);
    expect(allowedSources("COMPLETED")).toEqual(["READY"]);
    expect(allowedSources("PLACED")).toEqual([]);
  });
});

describe("placeOrder input", () => {
  const productId = "A0B6F3A2-6B1C-4A59-9D1E-3F7C2A1B4C5D";
  it("normalises ids and hashes the request so a reused key with other items is detectable", () => {
    const a = parsePlaceOrderInput({ idempotencyKey: "k", items: [{ productId, quantity: 2 }] });
    const b = parsePlaceOrderInput({
      idempotencyKey: "k",
      items: [{ productId: productId.toLowerCase(), quantity: 2 }],
    });
    const c = parsePlaceOrderInput({ idempotencyKey: "k", items: [{ productId, quantity: 3 }] });
    expect(a.items).toEqual([{ productId: productId.toLowerCase(), quantity: 2 }]);
    expect(a.requestHash).toBe(b.requestHash);
    expect(c.requestHash).not.toBe(a.requestHash);
  });

  it("bounds the number of lines and the quantity", () => {
    const items = Array.from({ length: 21 }, (_, i) => ({
      productId: `a0b6f3a2-6b1c-4a59-9d1e-${String(i).padStart(12, "0")}`,
      quantity: 1,
    }));
    expect(() => parsePlaceOrderInput({ idempotencyKey: "k", items })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ field: "input.items", max: 20 }) }),
    );
    expect(() => parsePlaceOrderInput({ idempotencyKey: "k", items: [{ productId, quantity: 100 }] })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ field: "input.items[0].quantity" }) }),
    );
  });
});
