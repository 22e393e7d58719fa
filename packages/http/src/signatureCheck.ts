import { createHmac, timingSafeEqual } from "node:crypto";

/** When a signature counts as current: `nowSeconds` (the clock, by default) within `maxSkewSeconds` (300) of its `t`. */
export interface SkewOptions {
  nowSeconds?: number;
  maxSkewSeconds?: number;
}

/** HMAC-SHA256 of `text` with `key`, hex: what both the router's and a service's signature carry as `v1`. */
export function hmacHex(key: string, text: string): string {
  return createHmac("sha256", key).update(text).digest("hex");
}

/** A signature header's value (the first, when a proxy repeated it), or undefined. */
export function headerValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/**
 * The checks every signature ends with, once its header parsed and its key is known: the HMAC (compared in constant
 * time, so a near miss takes as long as a far one), then the timestamp's distance from now, so a captured header
 * stops working soon. Undefined when both pass.
 */
export function signatureFailure(
  expectedHex: string,
  givenHex: string,
  timestamp: number,
  { nowSeconds = Math.floor(Date.now() / 1000), maxSkewSeconds = 300 }: SkewOptions = {},
): "INVALID" | "EXPIRED" | undefined {
  if (!timingSafeEqual(Buffer.from(expectedHex, "hex"), Buffer.from(givenHex, "hex"))) return "INVALID";
  if (Math.abs(nowSeconds - timestamp) > maxSkewSeconds) return "EXPIRED";
  return undefined;
}
