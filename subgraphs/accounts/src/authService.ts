import { randomBytes, randomUUID } from "node:crypto";
import { createTokenSigner } from "@commerce/auth";
import { badUserInput, unauthenticated, type Logger } from "@commerce/common";
import { isUniqueViolation, type Db, type DbClient } from "@commerce/db";
import type { Config } from "./config.js";
import {
  createRefreshToken,
  findRefreshTokenByHash,
  markRefreshTokenRotated,
  revokeRefreshTokenFamily,
} from "./data/refreshTokens.js";
import { createUser, findUserById, findUserWithPasswordByEmail, type UserRecord } from "./data/users.js";
import { isValidEmail, normalizeEmail } from "./email.js";
import { hashPassword, verifyPassword } from "@commerce/auth";
import { weakPasswordRule } from "./passwordPolicy.js";
import { generateRefreshToken, hashRefreshToken } from "./refreshToken.js";
import { scopesForRoles } from "./scopes.js";

/** What signUp, logIn and refreshAccessToken return. */
export interface Session {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  user: UserRecord;
}

export interface AuthServiceOptions {
  db: Db;
  logger: Logger;
  config: Pick<Config, "jwtSecret" | "accessTokenTtlSeconds" | "refreshTokenTtlSeconds" | "passwordHashCost">;
}

const MAX_DISPLAY_NAME_LENGTH = 100;
/** Longer strings cannot be one of our tokens; refuse them before hashing. */
const MAX_REFRESH_TOKEN_LENGTH = 128;

const invalidCredentials = () => unauthenticated("The e-mail address or password is wrong.", "INVALID_CREDENTIALS");
const invalidRefreshToken = () =>
  unauthenticated("The refresh token is not valid; log in again.", "REFRESH_TOKEN_INVALID");

type Exchange =
  | { kind: "rotated"; session: Omit<Session, "accessToken" | "accessTokenExpiresAt"> }
  | { kind: "reused"; familyId: string; userId: string }
  | { kind: "expired" }
  | { kind: "invalid" };

/**
 * Sign-up, log-in and the refresh-token lifecycle. Made once per process; it
 * holds the token signer and a decoy password hash.
 */
export function createAuthService({ db, logger, config }: AuthServiceOptions) {
  const signer = createTokenSigner({ secret: config.jwtSecret, ttlSeconds: config.accessTokenTtlSeconds });
  let decoyHash: Promise<string> | undefined;
  // Log-ins for unknown addresses verify against this, so they cost one scrypt like any other (no enumeration by timing).
  const decoy = () => (decoyHash ??= hashPassword(randomBytes(32).toString("base64url"), config.passwordHashCost));

  async function issueRefreshToken(tx: DbClient, userId: string, familyId: string, now: Date): Promise<string> {
    const token = generateRefreshToken();
    const expiresAt = new Date(now.getTime() + config.refreshTokenTtlSeconds * 1000);
    await createRefreshToken(tx, { userId, familyId, tokenHash: hashRefreshToken(token), expiresAt });
    return token;
  }

  async function withAccessToken(user: UserRecord, refreshToken: string): Promise<Session> {
    // Computed before signing: the reported expiry is never later than the token's own `exp`.
    const accessTokenExpiresAt = new Date((Math.floor(Date.now() / 1000) + config.accessTokenTtlSeconds) * 1000);
    const accessToken = await signer.sign(user.id, scopesForRoles(user.roles));
    return { accessToken, accessTokenExpiresAt, refreshToken, user };
  }

  return {
    /** Creates a CUSTOMER account and its first session. */
    async signUp(input: { email: string; password: string; displayName: string }): Promise<Session> {
      const email = normalizeEmail(input.email);
      if (!isValidEmail(email))
        throw badUserInput("This is not a valid e-mail address.", "input.email", { reason: "INVALID_EMAIL" });
      const displayName = input.displayName.trim();
      if (displayName.length === 0 || displayName.length > MAX_DISPLAY_NAME_LENGTH) {
        throw badUserInput(
          `The display name must have 1 to ${MAX_DISPLAY_NAME_LENGTH} characters.`,
          "input.displayName",
          {
            reason: "INVALID_DISPLAY_NAME",
          },
        );
      }
      const rule = weakPasswordRule(input.password);
      if (rule) {
        throw badUserInput(
          "This password is too weak: use 10 to 256 characters that are hard to guess.",
          "input.password",
          {
            reason: "WEAK_PASSWORD",
            rule,
          },
        );
      }
      const passwordHash = await hashPassword(input.password, config.passwordHashCost);
      const now = new Date();
      try {
        const { user, refreshToken } = await db.$transaction(async (tx) => {
          const user = await createUser(tx, { email, displayName, passwordHash });
          return { user, refreshToken: await issueRefreshToken(tx, user.id, randomUUID(), now) };
        });
        logger.info({ userId: user.id }, "user signed up");
        return await withAccessToken(user, refreshToken);
      } catch (error) {
        // The unique index decides, so two concurrent sign-ups cannot both succeed.
        if (isUniqueViolation(error)) {
          throw badUserInput("An account with this e-mail address already exists.", "input.email", {
            reason: "EMAIL_TAKEN",
          });
        }
        throw error;
      }
    },

    /** Checks credentials and starts a new session (a new refresh-token family). */
    async logIn(input: { email: string; password: string }): Promise<Session> {
      const found = await findUserWithPasswordByEmail(db, normalizeEmail(input.email));
      const matches = await verifyPassword(input.password, found?.passwordHash ?? (await decoy()));
      if (!found || !matches) throw invalidCredentials();
      const { passwordHash: _hash, ...user } = found;
      const refreshToken = await issueRefreshToken(db, user.id, randomUUID(), new Date());
      return withAccessToken(user, refreshToken);
    },

    /**
     * Exchanges a live refresh token for a new one in the same family. A token
     * that was already exchanged is a reuse: its whole family is revoked.
     */
    async refreshAccessToken(token: string): Promise<Session> {
      if (token.length > MAX_REFRESH_TOKEN_LENGTH) throw invalidRefreshToken();
      const tokenHash = hashRefreshToken(token);
      const now = new Date();
      const outcome = await db.$transaction(async (tx): Promise<Exchange> => {
        const row = await findRefreshTokenByHash(tx, tokenHash);
        if (!row) return { kind: "invalid" };
        if (row.rotatedAt) return { kind: "reused", familyId: row.familyId, userId: row.userId };
        if (row.revokedAt) return { kind: "invalid" };
        if (row.expiresAt <= now) return { kind: "expired" };
        // Lost the compare-and-set: a concurrent request exchanged this token first, so this is a reuse too.
        if (!(await markRefreshTokenRotated(tx, row.id, now)))
          return { kind: "reused", familyId: row.familyId, userId: row.userId };
        const user = await findUserById(tx, row.userId);
        if (!user) return { kind: "invalid" };
        return {
          kind: "rotated",
          session: { user, refreshToken: await issueRefreshToken(tx, user.id, row.familyId, now) },
        };
      });
      switch (outcome.kind) {
        case "rotated":
          return withAccessToken(outcome.session.user, outcome.session.refreshToken);
        case "reused": {
          // Outside the exchange transaction, so the revocation commits even though the request fails.
          const revoked = await revokeRefreshTokenFamily(db, outcome.familyId, now);
          logger.warn(
            { userId: outcome.userId, familyId: outcome.familyId, revoked },
            "refresh token reused; family revoked",
          );
          throw unauthenticated(
            "This refresh token was already used; the session is revoked. Log in again.",
            "REFRESH_TOKEN_REUSED",
          );
        }
        case "expired":
          throw unauthenticated("The refresh token has expired; log in again.", "REFRESH_TOKEN_EXPIRED");
        case "invalid":
          throw invalidRefreshToken();
      }
    },

    /** Revokes every refresh token of the family `token` belongs to. Idempotent for known tokens. */
    async logOut(token: string): Promise<void> {
      if (token.length > MAX_REFRESH_TOKEN_LENGTH) throw invalidRefreshToken();
      const row = await findRefreshTokenByHash(db, hashRefreshToken(token));
      if (!row) throw invalidRefreshToken();
      await revokeRefreshTokenFamily(db, row.familyId, new Date());
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
