import { headerValue, hmacHex, signatureFailure, type SkewOptions } from "./signatureCheck.js";
import { windowedSigner, type SignerOptions } from "./signatureWindow.js";

/**
 * Header a service signs its calls to another subgraph with, under its own identity (not the router's):
 * `s=<service>,t=<unix seconds>,v1=<hex HMAC-SHA256(key, "service:<service>:<t>")>`. The callee holds each caller's
 * key (`TRUSTED_SERVICES`); the service name is inside the signed text, so one caller's key cannot speak for another.
 */
export const SERVICE_SIGNATURE_HEADER = "x-service-signature";

/** What a service name may look like (it is logged and matched against `TRUSTED_SERVICES`). */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** Signature header value for `service` now, signed with its key. */
export function signServiceRequest(service: string, key: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return `s=${service},t=${nowSeconds},v1=${serviceHmac(key, service, nowSeconds)}`;
}

/**
 * The service's signature header for the current time window, computed once per window (as `routerSigner` does
 * for the router): the timestamp is the window's start, so keep `windowSeconds` well under the callee's skew (300).
 */
export function serviceSigner(service: string, key: string, options: SignerOptions = {}): () => string {
  return windowedSigner((t) => signServiceRequest(service, key, t), options);
}

export type ServiceSignatureCheck =
  | { ok: true; service: string }
  | { ok: false; reason: "MISSING" | "MALFORMED" | "UNKNOWN_SERVICE" | "INVALID" | "EXPIRED" };

/**
 * Checks a service signature against the callers this service trusts (name → key): well-formed, from a trusted
 * service, signed with that service's key (compared in constant time), and no older or newer than
 * `maxSkewSeconds`. On success, names the caller.
 */
export function verifyServiceSignature(
  header: string | string[] | undefined,
  trusted: ReadonlyMap<string, string>,
  options: SkewOptions = {},
): ServiceSignatureCheck {
  const value = headerValue(header);
  if (!value) return { ok: false, reason: "MISSING" };
  const match = /^s=([a-z][a-z0-9-]{0,62}),t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(value);
  if (!match?.[1] || !match[2] || !match[3]) return { ok: false, reason: "MALFORMED" };
  const service = match[1];
  const key = trusted.get(service);
  if (key === undefined) return { ok: false, reason: "UNKNOWN_SERVICE" };
  const timestamp = Number(match[2]);
  const failure = signatureFailure(serviceHmac(key, service, timestamp), match[3], timestamp, options);
  return failure ? { ok: false, reason: failure } : { ok: true, service };
}

function serviceHmac(key: string, service: string, timestamp: number): string {
  return hmacHex(key, `service:${service}:${timestamp}`);
}
