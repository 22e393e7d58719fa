import { hashPassword } from "@commerce/auth";
import type { Db } from "./client.js";
import { buildSeedData, SEED_PASSWORD } from "./seedData.js";

export interface SeedResult {
  inserted: { users: number; favorites: number; categories: number; products: number };
}

/**
 * Inserts the demo data set. Idempotent: rows that already exist (same id or
 * unique key) are left as they are, so re-seeding on every dev start never
 * overwrites what someone changed while trying the API.
 */
export async function seed(db: Db, { passwordHashCost = 15 } = {}): Promise<SeedResult> {
  const existing = await db.user.findFirst({ where: { email: "demo@commerce.dev" }, select: { passwordHash: true } });
  const passwordHash = existing?.passwordHash ?? (await hashPassword(SEED_PASSWORD, passwordHashCost));
  const data = buildSeedData(passwordHash);
  return db.$transaction(async (tx) => {
    const categories = await tx.category.createMany({ data: data.categories, skipDuplicates: true });
    const products = await tx.product.createMany({ data: data.products, skipDuplicates: true });
    const users = await tx.user.createMany({ data: data.users, skipDuplicates: true });
    const favorites = await tx.favorite.createMany({ data: data.favorites, skipDuplicates: true });
    return { inserted: { users: users.count, favorites: favorites.count, categories: categories.count, products: products.count } };
  });
}
