import type { Prisma } from "../generated/client.js";
import { prng, stableId } from "./seedData.js";

/**
 * The demo activity on top of users and products: orders (with snapshotted lines and
 * their status history), the loyalty ledger those orders earned, rewards, and reviews.
 * Computed, not random: the same rows on every machine.
 */
export interface ActivitySeed {
  orders: Prisma.OrderCreateManyInput[];
  orderItems: Prisma.OrderItemCreateManyInput[];
  orderStatusChanges: Prisma.OrderStatusChangeCreateManyInput[];
  rewards: Prisma.RewardCreateManyInput[];
  ledgerEntries: Prisma.LedgerEntryCreateManyInput[];
  loyaltyBalances: Prisma.LoyaltyAccountCreateManyInput[];
  reviews: Prisma.ReviewCreateManyInput[];
}

type SeedUser = { id: string; roles?: unknown };
type SeedProduct = {
  id: string;
  sku: string;
  name: string;
  priceAmount: number;
  currency: string;
  available?: boolean;
};

/** First order number of the seed; the orders.number sequence is moved past the seeded ones. */
export const FIRST_SEED_ORDER_NUMBER = 1000;
/** Loyalty's earning rule, mirrored here so seeded ledgers match what the consumer credits: 1 point per whole unit. */
const pointsFor = (amount: number) => Math.floor(amount / 100);
const FLOW = ["PLACED", "PREPARING", "READY", "COMPLETED"] as const;
type Status = (typeof FLOW)[number] | "CANCELLED";

const REWARDS = [
  { slug: "free-coffee", name: "Free coffee", cost: 150, sku: "COF-0001" },
  { slug: "free-fries", name: "Free fries", cost: 200, sku: "SID-0001" },
  { slug: "free-dessert", name: "Free dessert", cost: 250, sku: "DES-0001" },
  { slug: "free-burger", name: "Free burger", cost: 500, sku: "BUR-0001" },
  { slug: "tote-bag", name: "Commerce tote bag", cost: 1500, sku: "MER-0004" },
];
const REVIEW_LINES = [
  "Exactly what I hoped for.",
  "Good, but it took a while.",
  "Would order again.",
  "A bit too salty for me.",
  "Hot, fresh and generous.",
  "Not my favourite, still decent.",
  "The best thing on the menu.",
];

function statusOf(ui: number, k: number, count: number, random: () => number): Status {
  if (ui === 0 && k === count - 1) return "PLACED";
  if (ui === 0 && k === count - 2) return "PREPARING";
  if (ui === 0 && k === count - 3) return "CANCELLED";
  return random() < 0.9 ? "COMPLETED" : "CANCELLED";
}

/** `staffId` records who moved orders along; `users[0]` is the demo customer. */
export function buildActivitySeed(
  users: readonly SeedUser[],
  products: readonly SeedProduct[],
  staffId: string,
): ActivitySeed {
  const random = prng(20261122);
  const seed: ActivitySeed = {
    orders: [],
    orderItems: [],
    orderStatusChanges: [],
    rewards: [],
    ledgerEntries: [],
    loyaltyBalances: [],
    reviews: [],
  };
  const orderable = products.filter((p) => p.available !== false);
  const bySku = new Map(products.map((p) => [p.sku, p]));
  let number = FIRST_SEED_ORDER_NUMBER;
  const balances = new Map<string, { balance: number; lifetime: number }>();

  for (const reward of REWARDS) {
    seed.rewards.push({
      id: stableId(`reward:${reward.slug}`),
      slug: reward.slug,
      name: reward.name,
      description: `${reward.name} for ${reward.cost} points.`,
      cost: reward.cost,
      productId: bySku.get(reward.sku)?.id ?? null,
    });
  }

  users.forEach((user, ui) => {
    const count = ui === 0 ? 12 : ui === 1 ? 3 : Math.floor(random() * 5);
    for (let k = 0; k < count; k += 1) {
      const id = stableId(`order:${ui}:${k}`);
      const createdAt = new Date(Date.UTC(2026, 1, 1 + ((ui + k * 3) % 27), 11 + (k % 9), ui % 60));
      const lines = 1 + Math.floor(random() * 4);
      const picked = new Set<number>();
      while (picked.size < lines) picked.add(Math.floor(random() * Math.min(orderable.length, 120)));
      let total = 0;
      [...picked].forEach((pi, position) => {
        const product = orderable[pi] as SeedProduct;
        const quantity = 1 + Math.floor(random() * 3);
        total += product.priceAmount * quantity;
        seed.orderItems.push({
          orderId: id,
          position,
          productId: product.id,
          productSku: product.sku,
          productName: product.name,
          unitAmount: product.priceAmount,
          currency: product.currency,
          quantity,
        });
      });
      const status = statusOf(ui, k, count, random);
      seed.orders.push({
        id,
        number,
        customerId: user.id,
        idempotencyKey: `seed-${ui}-${k}`,
        requestHash: `seed:${id}`,
        status,
        totalAmount: total,
        currency: "USD",
        createdAt,
        updatedAt: createdAt,
      });
      const path: Status[] =
        status === "CANCELLED" ? ["PLACED", "CANCELLED"] : [...FLOW.slice(0, FLOW.indexOf(status) + 1)];
      path.forEach((to, step) =>
        seed.orderStatusChanges.push({
          id: stableId(`order-status:${id}:${step}`),
          orderId: id,
          fromStatus: step === 0 ? null : (path[step - 1] as Status),
          toStatus: to,
          changedBy: step === 0 ? user.id : staffId,
          changedAt: new Date(createdAt.getTime() + step * 5 * 60_000),
        }),
      );
      if (status === "COMPLETED") {
        const account = balances.get(user.id) ?? { balance: 0, lifetime: 0 };
        const points = pointsFor(total);
        if (points > 0) {
          account.balance += points;
          account.lifetime += points;
          balances.set(user.id, account);
          seed.ledgerEntries.push({
            id: stableId(`ledger:earn:${id}`),
            userId: user.id,
            kind: "EARN",
            points,
            balanceAfter: account.balance,
            sourceOrderId: id,
            orderNumber: number,
            createdAt: new Date(createdAt.getTime() + 20 * 60_000),
          });
        }
      }
      number += 1;
    }
  });

  // The demo customer has already redeemed one reward, so their history shows a debit too.
  const demo = users[0];
  const coffee = seed.rewards[0];
  const demoAccount = demo ? balances.get(demo.id) : undefined;
  if (demo && coffee && demoAccount && demoAccount.balance >= coffee.cost) {
    demoAccount.balance -= coffee.cost;
    seed.ledgerEntries.push({
      id: stableId(`ledger:redeem:${demo.id}:0`),
      userId: demo.id,
      kind: "REDEEM",
      points: -coffee.cost,
      balanceAfter: demoAccount.balance,
      rewardId: coffee.id as string,
      createdAt: new Date(Date.UTC(2026, 2, 1, 12)),
    });
  }
  for (const [userId, { balance, lifetime }] of balances)
    seed.loyaltyBalances.push({ userId, balance, lifetimePoints: lifetime });

  // Reviews concentrate on the first products of each page, so ratings have something to average.
  users.forEach((user, ui) => {
    const count = ui === 0 ? 8 : Math.floor(random() * 25);
    const picked = new Set<number>();
    while (picked.size < count) picked.add(Math.floor(random() * Math.min(products.length, 150)));
    [...picked].forEach((pi, k) => {
      const product = products[pi] as SeedProduct;
      const createdAt = new Date(Date.UTC(2026, 2, 1 + (k % 28), 9 + (ui % 12), k));
      seed.reviews.push({
        id: stableId(`review:${product.id}:${user.id}`),
        productId: product.id,
        authorId: user.id,
        rating: 1 + Math.min(4, Math.floor(random() * 5.6)),
        body: REVIEW_LINES[Math.floor(random() * REVIEW_LINES.length)] as string,
        createdAt,
        updatedAt: createdAt,
      });
    });
  });
  return seed;
}
