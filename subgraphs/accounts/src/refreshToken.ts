import { createHash, randomBytes } from "node:crypto";

/** A new opaque refresh token: 32 random bytes, base64url. Only its hash is stored. */
export function generateRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * SHA-256 of a refresh token, hex. The token already has 256 bits of entropy, so a
 * fast unsalted hash is enough: a database leak reveals no usable token.
 */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
