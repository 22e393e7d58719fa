import { describe, expect, it } from "vitest";
import {
  MalformedEventError,
  orderEventFields,
  parseOrderCompleted,
  readOrderEventFields,
  type OrderCompletedV1,
} from "../src/index.js";

const valid: OrderCompletedV1 = {
  version: 1,
  orderId: "D2000000-0000-4000-8000-000000000001",
  orderNumber: 7,
  customerId: "6F1C1F0E-9D1A-4C55-8F43-0A3C2F1B7D10",
  total: { amount: 1250, currency: "EUR" },
  completedAt: "2026-11-21T12:00:00.000Z",
};

describe("parseOrderCompleted", () => {
  it("accepts a version-1 payload, its UUIDs lower-cased", () => {
    expect(parseOrderCompleted(JSON.stringify(valid))).toEqual({
      ...valid,
      orderId: valid.orderId.toLowerCase(),
      customerId: valid.customerId.toLowerCase(),
    });
  });

  it.each([
    ["not JSON", "{", "payload is not JSON"],
    ["another version", JSON.stringify({ ...valid, version: 2 }), "unsupported version 2"],
    ["a bad order id", JSON.stringify({ ...valid, orderId: "x" }), "orderId must be a UUID"],
    ["a bad customer id", JSON.stringify({ ...valid, customerId: 42 }), "customerId must be a UUID"],
    ["a zero order number", JSON.stringify({ ...valid, orderNumber: 0 }), "orderNumber must be a positive integer"],
    [
      "a negative total",
      JSON.stringify({ ...valid, total: { amount: -1, currency: "EUR" } }),
      "total.amount must be a non-negative integer",
    ],
    [
      "a fractional total",
      JSON.stringify({ ...valid, total: { amount: 1.5, currency: "EUR" } }),
      "total.amount must be a non-negative integer",
    ],
    [
      "a lower-case currency",
      JSON.stringify({ ...valid, total: { amount: 1, currency: "eur" } }),
      "total.currency must be an ISO 4217 code",
    ],
    ["no completedAt", JSON.stringify({ ...valid, completedAt: undefined }), "completedAt must be an ISO date-time"],
    ["null", "null", "unsupported version undefined"],
  ])("rejects %s as malformed, naming the field", (_name, payload, message) => {
    expect(() => parseOrderCompleted(payload)).toThrow(new MalformedEventError(message));
  });
});

describe("stream entries", () => {
  it("round-trips through the XADD field list", () => {
    const entry = {
      type: "order.completed",
      eventId: "17",
      aggregateId: valid.orderId,
      payload: JSON.stringify(valid),
    };
    expect(orderEventFields(entry)).toEqual([
      "type",
      entry.type,
      "eventId",
      "17",
      "aggregateId",
      entry.aggregateId,
      "payload",
      entry.payload,
    ]);
    expect(readOrderEventFields(orderEventFields(entry))).toEqual(entry);
  });

  it("reads a missing field as empty", () => {
    expect(readOrderEventFields(["type", "order.completed"])).toEqual({
      type: "order.completed",
      eventId: "",
      aggregateId: "",
      payload: "",
    });
  });
});
