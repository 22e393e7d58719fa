import type { DbClient, RefreshToken } from "@commerce/db";

export interface CreateRefreshTokenData {
  userId: string;
  familyId: string;
  /** SHA-256 of the opaque token, hex. */
  tokenHash: string;
  expiresAt: Date;
}

export function createRefreshToken(db: DbClient, data: CreateRefreshTokenData): Promise<RefreshToken> {
  return db.refreshToken.create({ data });
}

export function findRefreshTokenByHash(db: DbClient, tokenHash: string): Promise<RefreshToken | null> {
  return db.refreshToken.findUnique({ where: { tokenHash } });
}

/**
 * Marks a token rotated if, and only if, it is still live: an atomic
 * compare-and-set, so of two concurrent exchanges of one token exactly one wins.
 */
export async function markRefreshTokenRotated(db: DbClient, id: string, at: Date): Promise<boolean> {
  const { count } = await db.refreshToken.updateMany({
    where: { id, rotatedAt: null, revokedAt: null },
    data: { rotatedAt: at },
  });
  return count === 1;
}

/** Revokes every not-yet-revoked token of a family; returns how many it revoked. */
export async function revokeRefreshTokenFamily(db: DbClient, familyId: string, at: Date): Promise<number> {
  const { count } = await db.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: at } });
  return count;
}
