import { hashPassword } from "@commerce/auth";
import type { Db } from "./client.js";
import { buildActivitySeed } from "./seedActivity.js";
import { buildSeedData, DEMO_USERS, SEED_PASSWORD } from "./seedData.js";

export interface SeedResult {
  inserted: {
    users: number;
    favorites: number;
    categories: number;
    products: number;
    orders: number;
    ledgerEntries: number;
    rewards: number;
    reviews: number;
  };
}

export interface SeedOptions {
  /** scrypt cost of the demo accounts' password hash (tests lower it). @default 15 */
  passwordHashCost?: number;
  /**
   * The demo accounts, whose password ({@link SEED_PASSWORD}) is published in the README, and what belongs to them:
   * favourites, orders, loyalty ledgers, reviews. Without them only the catalog and the rewards are inserted, so a
   * production database never gets an account anyone can log in to. @default true
   */
  demoAccounts?: boolean;
}

/**
 * Inserts the demo data set. Idempotent: rows that already exist (same id or
 * unique key) are left as they are, so re-seeding on every dev start never
 * overwrites what someone changed while trying the API.
 */
export async function seed(
  db: Db,
  { passwordHashCost = 15, demoAccounts = true }: SeedOptions = {},
): Promise<SeedResult> {
  let passwordHash = "";
  if (demoAccounts) {
    const existing = await db.user.findFirst({ where: { email: DEMO_USERS.customer }, select: { passwordHash: true } });
    passwordHash = existing?.passwordHash ?? (await hashPassword(SEED_PASSWORD, passwordHashCost));
  }
  const built = buildSeedData(passwordHash);
  const data = demoAccounts ? built : { ...built, users: [], favorites: [] };
  const staffId = data.users.find((u) => u.email === DEMO_USERS.staff)?.id ?? "";
  const activity = buildActivitySeed(
    data.users.map((u) => ({ id: u.id as string })),
    data.products.map((p) => ({ ...p, id: p.id as string })),
    staffId,
  );
  return db.$transaction(
    async (tx) => {
      const categories = await tx.category.createMany({ data: data.categories, skipDuplicates: true });
      const products = await tx.product.createMany({ data: data.products, skipDuplicates: true });
      const users = await tx.user.createMany({ data: data.users, skipDuplicates: true });
      const favorites = await tx.favorite.createMany({ data: data.favorites, skipDuplicates: true });
      const orders = await tx.order.createMany({ data: activity.orders, skipDuplicates: true });
      await tx.orderItem.createMany({ data: activity.orderItems, skipDuplicates: true });
      await tx.orderStatusChange.createMany({ data: activity.orderStatusChanges, skipDuplicates: true });
      // Seeded orders carry explicit numbers: move the sequence past them so new orders never collide.
      await tx.$executeRaw`SELECT setval(pg_get_serial_sequence('"orders"."orders"', 'number'), (SELECT MAX(number) FROM "orders"."orders"))`;
      const rewards = await tx.reward.createMany({ data: activity.rewards, skipDuplicates: true });
      const ledgerEntries = await tx.ledgerEntry.createMany({ data: activity.ledgerEntries, skipDuplicates: true });
      await tx.loyaltyAccount.createMany({ data: activity.loyaltyBalances, skipDuplicates: true });
      const reviews = await tx.review.createMany({ data: activity.reviews, skipDuplicates: true });
      return {
        inserted: {
          users: users.count,
          favorites: favorites.count,
          categories: categories.count,
          products: products.count,
          orders: orders.count,
          ledgerEntries: ledgerEntries.count,
          rewards: rewards.count,
          reviews: reviews.count,
        },
      };
    },
    { timeout: 30_000 },
  );
}
