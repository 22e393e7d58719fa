import { createHmac, timingSafeEqual } from "node:crypto";
import { unauthenticated } from "@commerce/common";
import type { NextFunction, Request, Response } from "express";
import { sendGraphQLError } from "./requestErrors.js";

/** Header the router signs every subgraph request with: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t")>`. */
export const ROUTER_SIGNATURE_HEADER = "x-router-signature";

/** Signature header value for now (the router's data source calls it per subgraph request). */
export function signRouterRequest(secret: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${nowSeconds},v1=${hmac(secret, nowSeconds)}`;
}

/**
 * The signature header for the current time window, computed once per window instead of per request (an HMAC per
 * subgraph fetch showed in the router's profile). The timestamp is the window's start, so a header is at most
 * `windowSeconds` old when sent; keep that well under the subgraphs' `maxSkewSeconds` (300), which must also cover
 * the clock skew between hosts.
 */
export function routerSigner(
  secret: string,
  { windowSeconds = 60, now = Date.now }: { windowSeconds?: number; now?: () => number } = {},
): () => string {
  let window = Number.NaN;
  let header = "";
  return () => {
    const current = Math.floor(now() / 1000 / windowSeconds);
    if (current !== window) {
      window = current;
      header = signRouterRequest(secret, current * windowSeconds);
    }
    return header;
  };
}

export type RouterSignatureCheck =
  { ok: true } | { ok: false; reason: "MISSING" | "MALFORMED" | "EXPIRED" | "INVALID" };

/**
 * Checks a router signature: well-formed, signed with `secret` (compared in constant time) and no older or newer
 * than `maxSkewSeconds`, so a captured header stops working soon. The secret itself never travels.
 */
export function verifyRouterSignature(
  header: string | string[] | undefined,
  secret: string,
  {
    nowSeconds = Math.floor(Date.now() / 1000),
    maxSkewSeconds = 300,
  }: { nowSeconds?: number; maxSkewSeconds?: number } = {},
): RouterSignatureCheck {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return { ok: false, reason: "MISSING" };
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(value);
  if (!match?.[1] || !match[2]) return { ok: false, reason: "MALFORMED" };
  const timestamp = Number(match[1]);
  const expected = Buffer.from(hmac(secret, timestamp), "hex");
  const given = Buffer.from(match[2], "hex");
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: "INVALID" };
  if (Math.abs(nowSeconds - timestamp) > maxSkewSeconds) return { ok: false, reason: "EXPIRED" };
  return { ok: true };
}

/**
 * Express middleware for a subgraph's GraphQL route: only the router gets through. Anything else is answered
 * 401 with a GraphQL error (`UNAUTHENTICATED`, `reason: ROUTER_SIGNATURE_<why>`) before Apollo sees the request.
 */
export function routerGuard(secret: string, options: { maxSkewSeconds?: number } = {}) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // CORS preflights carry no credentials by design; the GraphQL request that follows must be signed.
    if (req.method === "OPTIONS") return next();
    const check = verifyRouterSignature(req.headers[ROUTER_SIGNATURE_HEADER], secret, options);
    if (check.ok) return next();
    sendGraphQLError(
      res,
      unauthenticated("This service only accepts requests from the router.", `ROUTER_SIGNATURE_${check.reason}`, 401),
    );
  };
}

function hmac(secret: string, timestamp: number): string {
  return createHmac("sha256", secret).update(`router:${timestamp}`).digest("hex");
}
