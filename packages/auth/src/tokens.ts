import { SignJWT, createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTVerifyGetKey } from "jose";
import { LRUCache } from "lru-cache";
import { unauthenticated } from "@commerce/common";

/** Who is calling, from a verified access token. */
export interface Viewer {
  userId: string;
  scopes: ReadonlySet<string>;
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

/**
 * Verifies an access token: signature (only the configured algorithms, so `alg: none` and algorithm confusion
 * are refused), issuer, audience, expiry and not-before. Throws an UNAUTHENTICATED error whose `reason` is
 * `TOKEN_EXPIRED` or `TOKEN_INVALID`.
 */
export function createTokenVerifier(settings: VerifierSettings) {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (settings.jwksUrl) {
    key = createRemoteJWKSet(new URL(settings.jwksUrl), {
      cooldownDuration: settings.jwksCooldownMs ?? 30_000,
      cacheMaxAge: settings.jwksMaxAgeMs ?? 600_000,
    });
    algorithms = [...(settings.algorithms ?? ["RS256", "ES256"])];
  } else if (settings.secret) {
    key = new TextEncoder().encode(settings.secret);
    algorithms = [...(settings.algorithms ?? [ALGORITHM])];
  } else {
    throw new Error("createTokenVerifier needs a secret or a jwksUrl");
  }
  const now = settings.now ?? Date.now;
  const cacheSize = settings.cacheSize ?? 10_000;
  // Keyed by the whole token (signature included); an entry is dropped once its `exp` has passed.
  const verified = cacheSize > 0 ? new LRUCache<string, { viewer: Viewer; expiresAt: number }>({ max: cacheSize }) : undefined;
  return async function verify(token: string): Promise<Viewer> {
    const cached = verified?.get(token);
    if (cached) {
      if (now() < cached.expiresAt) return cached.viewer;
      verified?.delete(token);
    }
    try {
      const options = {
        algorithms,
        issuer: settings.issuer ?? DEFAULT_ISSUER,
        audience: settings.audience ?? DEFAULT_AUDIENCE,
        clockTolerance: settings.clockToleranceSeconds ?? 5,
        requiredClaims: ["sub", "exp"],
        ...(settings.now ? { currentDate: new Date(now()) } : {}),
      };
      const { payload } = typeof key === "function" ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
      const scope = typeof payload.scope === "string" ? payload.scope : "";
      const viewer: Viewer = Object.freeze({ userId: payload.sub as string, scopes: new Set(scope.split(" ").filter(Boolean)) });
      // Never past `exp` (the clock tolerance only applies to a real verification).
      if (typeof payload.exp === "number") verified?.set(token, { viewer, expiresAt: payload.exp * 1000 });
      return viewer;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated("Your access token has expired; refresh it.", "TOKEN_EXPIRED");
      throw unauthenticated("The access token is invalid.", "TOKEN_INVALID");
    }
  };
}
export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

/**
 * Reads `Authorization: Bearer <token>`. No header → anonymous (null); a header
 * that is present but malformed or invalid is an error, never silently anonymous.
 */
export async function viewerFromAuthorization(header: string | undefined, verify: TokenVerifier): Promise<Viewer | null> {
  if (header === undefined || header.trim() === "") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthenticated("The Authorization header must be `Bearer <access token>`.", "TOKEN_INVALID");
  return verify(match[1]);
}

/** The secret every service uses in development when JWT_SECRET is unset. Never valid in production. */
export const DEV_JWT_SECRET = "dev-only-insecure-jwt-secret-0123456789abcdef";
