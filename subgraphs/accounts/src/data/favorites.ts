import type { DbClient, Favorite } from "@commerce/db";
import { isUuid } from "@commerce/common";

/** The favourites of all these users in one query, each user's newest first. */
export function findFavoritesByUserIds(db: DbClient, userIds: readonly string[]): Promise<Favorite[]> {
  const valid = userIds.filter(isUuid).map((id) => id.toLowerCase());
  if (valid.length === 0) return Promise.resolve([]);
  return db.favorite.findMany({
    where: { userId: { in: valid } },
    orderBy: [{ userId: "asc" }, { createdAt: "desc" }, { productId: "asc" }],
  });
}

/** Saves a favourite; saving it again is a no-op (ON CONFLICT DO NOTHING). */
export async function addFavorite(db: DbClient, userId: string, productId: string): Promise<void> {
  await db.favorite.createMany({ data: [{ userId, productId }], skipDuplicates: true });
}

/** Removes a favourite if it is saved. */
export async function removeFavorite(db: DbClient, userId: string, productId: string): Promise<void> {
  await db.favorite.deleteMany({ where: { userId, productId } });
}
