// Access tokens for the unique-Authorization scenario: a distinct, valid HS256 JWT per request.
import { createHmac } from "node:crypto";

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  /** Lifetime of each token. @default 3600 */
  ttlSeconds?: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

/**
 * Returns a function that signs a new token with a fresh `sub` at every call. Signed here with node:crypto
 * rather than jose because autocannon asks for each request synchronously and jose only signs asynchronously;
 * the test verifies these tokens with jose, as the router does.
 */
export function tokenFactory(
  { secret, issuer, audience, ttlSeconds = 3600 }: TokenSettings,
  prefix = "bench-user",
): () => string {
  let counter = 0;
  return () => {
    counter += 1;
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(
      JSON.stringify({
        sub: `${prefix}-${counter}`,
        scope: "",
        iss: issuer,
        aud: audience,
        iat: now,
        exp: now + ttlSeconds,
      }),
    ).toString("base64url");
    const signature = createHmac("sha256", secret).update(`${HEADER}.${payload}`).digest("base64url");
    return `${HEADER}.${payload}.${signature}`;
  };
}
