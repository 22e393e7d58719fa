import { createVerifier, type Algorithm } from "fast-jwt";
import { SignJWT, createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload } from "jose";
import { LRUCache } from "lru-cache";
import { unauthenticated } from "@commerce/common";

/** Who is calling, from a verified access token. */
export interface Viewer {
  userId: string;
  scopes: ReadonlySet<string>;
  /** When the token stops being valid (its `exp`, in ms since the epoch); long-lived streams close then. */
  expiresAt?: number;
}

export interface TokenSettings {
  /** HS256 secret shared by the issuer (accounts) and the verifiers; at least 32 bytes. */
  secret: string;
  /** `iss` claim. @default "commerce-supergraph" */
  issuer?: string;
  /** `aud` claim. @default "commerce-api" */
  audience?: string;
}

const DEFAULT_ISSUER = "commerce-supergraph";
const DEFAULT_AUDIENCE = "commerce-api";
const ALGORITHM = "HS256";

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Signs short-lived access tokens carrying `sub` and an OAuth-style space-separated `scope`. */
export function createTokenSigner(settings: TokenSettings & { ttlSeconds: number }) {
  const secret = key(settings.secret);
  return {
    ttlSeconds: settings.ttlSeconds,
    async sign(userId: string, scopes: readonly string[]): Promise<string> {
      return new SignJWT({ scope: scopes.join(" ") })
        .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
        .setSubject(userId)
        .setIssuer(settings.issuer ?? DEFAULT_ISSUER)
        .setAudience(settings.audience ?? DEFAULT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${settings.ttlSeconds}s`)
        .sign(secret);
    },
  };
}
export type TokenSigner = ReturnType<typeof createTokenSigner>;

/** Where verifiers get their keys: the shared HS256 secret (development), or a JWKS URL (RS256/ES256, production). */
export interface VerifierSettings {
  /** HS256 secret; ignored when `jwksUrl` is set. */
  secret?: string;
  /** JWKS endpoint of the issuer. Keys are cached; a token with an unknown `kid` refetches the set (at most once per `jwksCooldownMs`). */
  jwksUrl?: string;
  /** `iss` claim. @default "commerce-supergraph" */
  issuer?: string;
  /** `aud` claim. @default "commerce-api" */
  audience?: string;
  /** Accepted `alg` values. @default ["HS256"] with a secret, ["RS256", "ES256"] with a JWKS URL */
  algorithms?: readonly string[];
  /** Leeway for `exp` and `nbf`, in seconds. @default 5 */
  clockToleranceSeconds?: number;
  /** Minimum time between two JWKS fetches (rotation: unknown kid → refetch). @default 30000 */
  jwksCooldownMs?: number;
  /** How long a fetched JWKS is used before it is fetched again. @default 600000 */
  jwksMaxAgeMs?: number;
  /**
   * Verified tokens kept (least recently used dropped first), each until its `exp`: a client sending the same
   * token again costs a lookup, not a signature check. Only tokens that verified are kept. 0 turns it off.
   * @default 10000
   */
  cacheSize?: number;
  /** The clock, in milliseconds (tests). @default Date.now */
  now?: () => number;
}

/** HMAC algorithms: a shared secret verifies only these. */
const HMAC_ALGORITHMS: readonly string[] = ["HS256", "HS384", "HS512"];

/** The claims a token must carry, checked by both paths. */
const REQUIRED_CLAIMS = ["sub", "exp"];

/** A token that verified but whose `exp` has passed (jose's JWTExpired on the JWKS path). */
class ExpiredToken extends Error {}

/**
 * `iat`, `nbf` and `exp` as jose checks them: numbers when present, `nbf` not after now and `exp` after now, each
 * within `tolerance` seconds, on a clock in whole seconds. Throws ExpiredToken for `exp`, anything else for the rest.
 */
function checkTimes(payload: Record<string, unknown>, nowMs: number, tolerance: number): void {
  const now = Math.floor(nowMs / 1000);
  for (const claim of ["iat", "nbf", "exp"]) {
    const value = payload[claim];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value)))
      throw new Error(`"${claim}" must be a number`);
  }
  if (typeof payload.nbf === "number" && payload.nbf > now + tolerance) throw new Error("not valid yet");
  if (typeof payload.exp === "number" && payload.exp <= now - tolerance) throw new ExpiredToken();
}

/**
 * The shared-secret (HMAC) path, on node:crypto through fast-jwt: jose verifies with WebCrypto, whose HMAC is an
 * asynchronous job costing about ten times the CPU of node:crypto's (≈ 60–80 µs against ≈ 6 µs a token), which a
 * router verifying a new token on every request pays on each one. fast-jwt checks the structure, the algorithm
 * against the allow-list (`alg: none` has no signature and is refused), the signature (compared in constant time),
 * `crit`, the issuer, the audience and the required claims; the times are checked by {@link checkTimes}, on the
 * verifier's clock.
 */
function hmacVerifier(
  secret: string,
  algorithms: readonly string[],
  issuer: string,
  audience: string,
): (token: string) => Record<string, unknown> {
  const unsupported = algorithms.filter((algorithm) => !HMAC_ALGORITHMS.includes(algorithm));
  if (unsupported.length > 0)
    throw new Error(
      `createTokenVerifier: ${unsupported.join(", ")} need a jwksUrl; a secret verifies only ${HMAC_ALGORITHMS.join(", ")}`,
    );
  return createVerifier({
    key: secret,
    algorithms: algorithms as Algorithm[],
    allowedIss: issuer,
    allowedAud: audience,
    requiredClaims: REQUIRED_CLAIMS,
    ignoreExpiration: true,
    ignoreNotBefore: true,
    cache: false,
  }) as (token: string) => Record<string, unknown>;
}

/**
 * Verifies an access token: signature (only the configured algorithms, so `alg: none` and algorithm confusion
 * are refused), issuer, audience, expiry and not-before. Throws an UNAUTHENTICATED error whose `reason` is
 * `TOKEN_EXPIRED` or `TOKEN_INVALID`. A shared secret verifies HMAC tokens with node:crypto ({@link hmacVerifier});
 * a JWKS URL verifies RS256/ES256 tokens with jose, which fetches, caches and rotates the key set.
 */
export function createTokenVerifier(settings: VerifierSettings) {
  const issuer = settings.issuer ?? DEFAULT_ISSUER;
  const audience = settings.audience ?? DEFAULT_AUDIENCE;
  const tolerance = settings.clockToleranceSeconds ?? 5;
  const now = settings.now ?? Date.now;
  let payloadOf: (token: string) => Promise<JWTPayload | Record<string, unknown>>;
  if (settings.jwksUrl) {
    const keySet = createRemoteJWKSet(new URL(settings.jwksUrl), {
      cooldownDuration: settings.jwksCooldownMs ?? 30_000,
      cacheMaxAge: settings.jwksMaxAgeMs ?? 600_000,
    });
    const algorithms = [...(settings.algorithms ?? ["RS256", "ES256"])];
    payloadOf = async (token) => {
      const options = {
        algorithms,
        issuer,
        audience,
        clockTolerance: tolerance,
        requiredClaims: REQUIRED_CLAIMS,
        ...(settings.now ? { currentDate: new Date(now()) } : {}),
      };
      try {
        return (await jwtVerify(token, keySet, options)).payload;
      } catch (error) {
        throw error instanceof joseErrors.JWTExpired ? new ExpiredToken() : error;
      }
    };
  } else if (settings.secret) {
    const verifyHmac = hmacVerifier(settings.secret, settings.algorithms ?? [ALGORITHM], issuer, audience);
    payloadOf = async (token) => {
      const payload = verifyHmac(token);
      checkTimes(payload, now(), tolerance);
      return payload;
    };
  } else {
    throw new Error("createTokenVerifier needs a secret or a jwksUrl");
  }
  const cacheSize = settings.cacheSize ?? 10_000;
  // Keyed by the whole token (signature included); an entry is dropped once its `exp` has passed.
  const verified =
    cacheSize > 0 ? new LRUCache<string, { viewer: Viewer; expiresAt: number }>({ max: cacheSize }) : undefined;
  return async function verify(token: string): Promise<Viewer> {
    const cached = verified?.get(token);
    if (cached) {
      if (now() < cached.expiresAt) return cached.viewer;
      verified?.delete(token);
    }
    let payload: JWTPayload | Record<string, unknown>;
    try {
      payload = await payloadOf(token);
    } catch (error) {
      if (error instanceof ExpiredToken)
        throw unauthenticated("Your access token has expired; refresh it.", "TOKEN_EXPIRED");
      throw unauthenticated("The access token is invalid.", "TOKEN_INVALID");
    }
    if (typeof payload.sub !== "string" || payload.sub === "")
      throw unauthenticated("The access token is invalid.", "TOKEN_INVALID");
    const scope = typeof payload.scope === "string" ? payload.scope : "";
    const expiresAt = typeof payload.exp === "number" ? payload.exp * 1000 : undefined;
    const viewer: Viewer = Object.freeze({
      userId: payload.sub,
      scopes: new Set(scope.split(" ").filter(Boolean)),
      ...(expiresAt ? { expiresAt } : {}),
    });
    // Never past `exp` (the clock tolerance only applies to a real verification).
    if (expiresAt) verified?.set(token, { viewer, expiresAt });
    return viewer;
  };
}
export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

/**
 * Reads `Authorization: Bearer <token>`. No header → anonymous (null); a header
 * that is present but malformed or invalid is an error, never silently anonymous.
 */
export async function viewerFromAuthorization(
  header: string | undefined,
  verify: TokenVerifier,
): Promise<Viewer | null> {
  if (header === undefined || header.trim() === "") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthenticated("The Authorization header must be `Bearer <access token>`.", "TOKEN_INVALID");
  return verify(match[1]);
}

/** The secret every service uses in development when JWT_SECRET is unset. Never valid in production. */
export const DEV_JWT_SECRET = "dev-only-insecure-jwt-secret-0123456789abcdef";
