import { describe, expect, it } from "vitest";
import {
  serviceSigner,
  signRouterRequest,
  signServiceRequest,
  verifyServiceSignature,
  SERVICE_NAME_PATTERN,
} from "../src/index.js";

const ORDERS_KEY = "orders-service-key-for-tests-0123456789";
const REVIEWS_KEY = "reviews-service-key-for-tests-0123456789";
const TRUSTED = new Map([
  ["orders", ORDERS_KEY],
  ["reviews", REVIEWS_KEY],
]);
const NOW = 1_700_000_000;

describe("service signatures", () => {
  it("verifies a fresh signature of a trusted service made with its own key, and names the service", () => {
    const header = signServiceRequest("orders", ORDERS_KEY, NOW);
    expect(header).toMatch(/^s=orders,t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyServiceSignature(header, TRUSTED, { nowSeconds: NOW })).toEqual({ ok: true, service: "orders" });
    expect(verifyServiceSignature(header, TRUSTED, { nowSeconds: NOW + 300 })).toEqual({ ok: true, service: "orders" });
  });

  it("refuses a signature made with the wrong key, including another trusted service's", () => {
    for (const key of ["not-the-orders-key-but-long-enough-0000", REVIEWS_KEY])
      expect(verifyServiceSignature(signServiceRequest("orders", key, NOW), TRUSTED, { nowSeconds: NOW })).toEqual({
        ok: false,
        reason: "INVALID",
      });
  });

  it("refuses a header whose service name was swapped: the name is part of what is signed", () => {
    const forged = signServiceRequest("reviews", REVIEWS_KEY, NOW).replace("s=reviews", "s=orders");
    expect(verifyServiceSignature(forged, TRUSTED, { nowSeconds: NOW })).toEqual({ ok: false, reason: "INVALID" });
  });

  it("refuses a service the callee does not trust, whatever its key", () => {
    const header = signServiceRequest("loyalty", ORDERS_KEY, NOW);
    expect(verifyServiceSignature(header, TRUSTED, { nowSeconds: NOW })).toEqual({
      ok: false,
      reason: "UNKNOWN_SERVICE",
    });
    expect(verifyServiceSignature(header, new Map(), { nowSeconds: NOW })).toEqual({
      ok: false,
      reason: "UNKNOWN_SERVICE",
    });
  });

  it("refuses a signature older or newer than the allowed skew", () => {
    for (const t of [NOW - 301, NOW + 301])
      expect(verifyServiceSignature(signServiceRequest("orders", ORDERS_KEY, t), TRUSTED, { nowSeconds: NOW })).toEqual(
        { ok: false, reason: "EXPIRED" },
      );
    expect(
      verifyServiceSignature(signServiceRequest("orders", ORDERS_KEY, NOW - 30), TRUSTED, {
        nowSeconds: NOW,
        maxSkewSeconds: 10,
      }),
    ).toEqual({ ok: false, reason: "EXPIRED" });
  });

  it("refuses malformed and missing headers, including the router's header format", () => {
    const valid = signServiceRequest("orders", ORDERS_KEY, NOW);
    for (const header of [
      "s=orders,t=1,v1=zz",
      valid.replace("s=orders,", ""),
      valid.replace("s=orders", "s=Orders"),
      valid.replace("s=orders", "s="),
      `${valid},extra`,
      signRouterRequest(ORDERS_KEY, NOW),
      "",
    ])
      expect(verifyServiceSignature(header, TRUSTED, { nowSeconds: NOW })).toEqual(
        header === "" ? { ok: false, reason: "MISSING" } : { ok: false, reason: "MALFORMED" },
      );
    expect(verifyServiceSignature(undefined, TRUSTED)).toEqual({ ok: false, reason: "MISSING" });
  });

  it("reads the first of repeated headers", () => {
    const header = signServiceRequest("reviews", REVIEWS_KEY, NOW);
    expect(verifyServiceSignature([header, "junk"], TRUSTED, { nowSeconds: NOW })).toEqual({
      ok: true,
      service: "reviews",
    });
  });

  it("names services in lower case, starting with a letter", () => {
    expect(["orders", "reviews", "order-events"].every((name) => SERVICE_NAME_PATTERN.test(name))).toBe(true);
    expect(["", "Orders", "1orders", "orders:x", "a".repeat(64)].some((name) => SERVICE_NAME_PATTERN.test(name))).toBe(
      false,
    );
  });
});

describe("serviceSigner", () => {
  it("signs once per window, and the header verifies for the service until the skew runs out", () => {
    let nowMs = 1_700_000_070_000;
    const sign = serviceSigner("orders", ORDERS_KEY, { windowSeconds: 60, now: () => nowMs });
    const first = sign();
    expect(first).toMatch(/^s=orders,t=1700000040,/);
    nowMs += 29_000;
    expect(sign()).toBe(first);
    expect(verifyServiceSignature(first, TRUSTED, { nowSeconds: Math.floor(nowMs / 1000) })).toEqual({
      ok: true,
      service: "orders",
    });
    nowMs += 1_000;
    expect(sign()).toMatch(/^s=orders,t=1700000100,/);
  });
});
