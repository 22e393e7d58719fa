import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from "vitest";
import type { Prisma } from "@commerce/db";
import { defined } from "@commerce/testing";
import { MEMBER_ID, orderId, REWARD_ID, startHarness, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ databaseUrl: inject("databaseUrl") });
});
afterAll(async () => h?.stop());
afterEach(async () => h.reset());

/** `count` EARN entries of 10 points (orders 1..count, one minute apart), then one redemption of 25. */
async function seedLedger(count: number): Promise<void> {
  const entries: Prisma.LedgerEntryCreateManyInput[] = [];
  for (let n = 1; n <= count; n += 1) {
    entries.push({
      userId: MEMBER_ID,
      kind: "EARN",
      points: 10,
      balanceAfter: 10 * n,
      sourceOrderId: orderId(n),
      orderNumber: 100 + n,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)),
    });
  }
  entries.push({
    userId: MEMBER_ID,
    kind: "REDEEM",
    points: -25,
    balanceAfter: 10 * count - 25,
    rewardId: REWARD_ID,
    createdAt: new Date(Date.UTC(2026, 0, 2)),
  });
  await h.db.reward.create({ data: { id: REWARD_ID, slug: "free-coffee", name: "Free coffee", cost: 25 } });
  await h.db.ledgerEntry.createMany({ data: entries });
  await h.db.loyaltyAccount.create({
    data: { userId: MEMBER_ID, balance: 10 * count - 25, lifetimePoints: 10 * count },
  });
}

const LOYALTY = `query($r: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $r) { ... on User { loyalty { balance lifetimePoints tier pointsToNextTier
    history(first: $first, after: $after) { edges { node { kind points balanceAfter order { id number } reward { name } } } pageInfo { hasNextPage endCursor } } } } }
}`;
type History = {
  _entities: {
    loyalty: {
      balance: number;
      tier: string;
      history: {
        edges: { node: { kind: string; order: { number: number } | null; reward: { name: string } | null } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
  }[];
};

describe("User.loyalty", () => {
  it("derives balance and tier and pages the ledger newest first, with the order number provided by the ledger", async () => {
    await seedLedger(60);
    const r = [{ __typename: "User", id: MEMBER_ID }];
    const first = await h.execute<History>(LOYALTY, { r, first: 3 }, { userId: MEMBER_ID });
    expect(first.errors).toBeUndefined();
    const loyalty = defined(first.data?._entities[0]).loyalty;
    expect(loyalty).toMatchObject({ balance: 575, lifetimePoints: 600, tier: "SILVER", pointsToNextTier: 900 });
    expect(loyalty.history.edges.map((e) => e.node)).toEqual([
      { kind: "REDEEM", points: -25, balanceAfter: 575, order: null, reward: { name: "Free coffee" } },
      { kind: "EARN", points: 10, balanceAfter: 600, order: { id: orderId(60), number: 160 }, reward: null },
      { kind: "EARN", points: 10, balanceAfter: 590, order: { id: orderId(59), number: 159 }, reward: null },
    ]);
    const next = await h.execute<History>(
      LOYALTY,
      { r, first: 100, after: loyalty.history.pageInfo.endCursor },
      { userId: MEMBER_ID },
    );
    const rest = defined(next.data?._entities[0]).loyalty.history;
    expect(rest.edges).toHaveLength(58);
    expect(rest.edges.at(-1)?.node.order?.number).toBe(101);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it("gives a member without a ledger a zero BRONZE account", async () => {
    const result = await h.execute<History>(
      LOYALTY,
      { r: [{ __typename: "User", id: MEMBER_ID }] },
      { userId: MEMBER_ID },
    );
    expect(defined(result.data?._entities[0]).loyalty).toMatchObject({
      balance: 0,
      tier: "BRONZE",
      history: { edges: [] },
    });
  });
});

describe("Order.pointsEarned", () => {
  it("answers for a whole batch of orders in one SQL statement (0 until credited)", async () => {
    await seedLedger(50);
    const r = Array.from({ length: 100 }, (_, i) => ({ __typename: "Order", id: orderId(i + 1) }));
    h.queries.reset();
    const result = await h.execute<{ _entities: { pointsEarned: number }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { pointsEarned } } }`,
      { r },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities.map((o) => o.pointsEarned)).toEqual([...Array(50).fill(10), ...Array(50).fill(0)]);
    expect(h.queries.count).toBe(1);
  });
});

describe("Reward entity", () => {
  it("resolves references through one batched query", async () => {
    await seedLedger(3);
    h.queries.reset();
    const result = await h.execute<{ _entities: ({ name: string } | null)[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Reward { name cost } } }`,
      {
        r: [
          { __typename: "Reward", id: REWARD_ID },
          { __typename: "Reward", id: orderId(1) },
        ],
      },
    );
    expect(result.data?._entities).toEqual([{ name: "Free coffee", cost: 25 }, null]);
    expect(h.queries.count).toBe(1);
  });
});
