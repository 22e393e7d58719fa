import { unauthenticated } from "@commerce/common";
import type { NextFunction, Request, Response } from "express";
import { sendGraphQLError } from "./requestErrors.js";
import { headerValue, hmacHex, signatureFailure, type SkewOptions } from "./signatureCheck.js";
import { SERVICE_SIGNATURE_HEADER, verifyServiceSignature } from "./serviceSignature.js";
import { windowedSigner, type SignerOptions } from "./signatureWindow.js";

/** Header the router signs every subgraph request with: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t")>`. */
export const ROUTER_SIGNATURE_HEADER = "x-router-signature";

/** Signature header value for now (the router's data source calls it per subgraph request). */
export function signRouterRequest(secret: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${nowSeconds},v1=${hmac(secret, nowSeconds)}`;
}

/** The router's signature header for the current time window, computed once per window (see `windowedSigner`). */
export function routerSigner(secret: string, options: SignerOptions = {}): () => string {
  return windowedSigner((t) => signRouterRequest(secret, t), options);
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
  options: SkewOptions = {},
): RouterSignatureCheck {
  const value = headerValue(header);
  if (!value) return { ok: false, reason: "MISSING" };
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(value);
  if (!match?.[1] || !match[2]) return { ok: false, reason: "MALFORMED" };
  const timestamp = Number(match[1]);
  const failure = signatureFailure(hmac(secret, timestamp), match[2], timestamp, options);
  return failure ? { ok: false, reason: failure } : { ok: true };
}

/** Who called a subgraph, as its guard verified: the router, or a trusted service under its own identity. */
export type Caller = { kind: "router" } | { kind: "service"; service: string };

/** The caller's name in logs and spans: `router`, or the service's name. */
export function callerName(caller: Caller): string {
  return caller.kind === "router" ? "router" : caller.service;
}

export interface CallerGuardOptions {
  /** The secret shared with the router (`ROUTER_SECRET`). */
  routerSecret: string;
  /** The services allowed to call under their own identity, name → key (`TRUSTED_SERVICES`). @default none */
  trustedServices?: ReadonlyMap<string, string>;
  /** How far a signature's timestamp may be from now. @default 300 */
  maxSkewSeconds?: number;
}

const callers = new WeakMap<object, Caller>();

/** The caller the guard verified for this request; undefined when no guard ran (an unguarded subgraph, a test). */
export function callerOf(req: object): Caller | undefined {
  return callers.get(req);
}

/**
 * Express middleware for a subgraph's GraphQL route: only the router (`x-router-signature`) or a trusted service
 * (`x-service-signature`) gets through, and `callerOf(req)` says which. Anything else is answered 401 with a
 * GraphQL error (`UNAUTHENTICATED`, `reason: ROUTER_SIGNATURE_<why>` or `SERVICE_SIGNATURE_<why>`) before Apollo
 * sees the request. What a service may do once in is the subgraph's to limit (queries of `_entities` only).
 */
export function callerGuard({ routerSecret, trustedServices = new Map(), maxSkewSeconds }: CallerGuardOptions) {
  const skew = maxSkewSeconds === undefined ? {} : { maxSkewSeconds };
  return (req: Request, res: Response, next: NextFunction): void => {
    // CORS preflights carry no credentials by design; the GraphQL request that follows must be signed.
    if (req.method === "OPTIONS") return next();
    const serviceHeader = req.headers[SERVICE_SIGNATURE_HEADER];
    if (serviceHeader !== undefined && req.headers[ROUTER_SIGNATURE_HEADER] === undefined) {
      const check = verifyServiceSignature(serviceHeader, trustedServices, skew);
      if (check.ok) {
        callers.set(req, { kind: "service", service: check.service });
        return next();
      }
      return sendGraphQLError(
        res,
        unauthenticated(
          "This service only accepts requests from the router or a service it trusts.",
          `SERVICE_SIGNATURE_${check.reason}`,
          401,
        ),
      );
    }
    const check = verifyRouterSignature(req.headers[ROUTER_SIGNATURE_HEADER], routerSecret, skew);
    if (check.ok) {
      callers.set(req, ROUTER_CALLER);
      return next();
    }
    sendGraphQLError(
      res,
      unauthenticated("This service only accepts requests from the router.", `ROUTER_SIGNATURE_${check.reason}`, 401),
    );
  };
}

const ROUTER_CALLER: Caller = Object.freeze({ kind: "router" });

function hmac(secret: string, timestamp: number): string {
  return hmacHex(secret, `router:${timestamp}`);
}
