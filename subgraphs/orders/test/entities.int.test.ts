import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, inject } from "vitest";
import type { Prisma } from "@commerce/db";
import { defined, errorCodes } from "@commerce/testing";
import { CUSTOMER_ID, OTHER_CUSTOMER_ID, STAFF_ID } from "./fixtures/menu.js";
import { startHarness, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });
});
afterAll(async () => h?.stop());
afterEach(async () => h.reset());

const orderId = (n: number) => `d1000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

/** `count` orders per customer, numbered 1.. in placement order, each with two lines. */
async function seedOrders(customers: string[], count: number): Promise<void> {
  const orders: Prisma.OrderCreateManyInput[] = [];
  const items: Prisma.OrderItemCreateManyInput[] = [];
  customers.forEach((customerId, c) => {
    for (let i = 0; i < count; i += 1) {
      const n = c * count + i + 1;
      orders.push({
        id: orderId(n),
        number: n,
        customerId,
        idempotencyKey: `k${n}`,
        requestHash: "h",
        status: i % 3 === 0 ? "COMPLETED" : "PLACED",
        totalAmount: 300,
        currency: "EUR",
      });
      for (const position of [0, 1]) {
        items.push({
          orderId: orderId(n),
          position,
          productId: orderId(1000 + position),
          productSku: `S${position}`,
          productName: `P${position}`,
          unitAmount: 150,
          currency: "EUR",
          quantity: 1,
        });
      }
    }
  });
  await h.db.order.createMany({ data: orders });
  await h.db.orderItem.createMany({ data: items });
}

const USER_ORDERS = `query($r: [_Any!]!, $first: Int, $after: String, $status: OrderStatus) {
  _entities(representations: $r) { ... on User { id orders(first: $first, after: $after, status: $status) { edges { node { number status items { sku } } } pageInfo { hasNextPage endCursor } } } }
}`;
type Page = {
  _entities: {
    id: string;
    orders: {
      edges: { node: { number: number; status: string; items: { sku: string }[] } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }[];
};

describe("User.orders", () => {
  beforeEach(async () => seedOrders([CUSTOMER_ID, OTHER_CUSTOMER_ID], 25));

  it("pages newest first with opaque cursors, and filters by status", async () => {
    const r = [{ __typename: "User", id: CUSTOMER_ID }];
    const first = await h.execute<Page>(USER_ORDERS, { r, first: 10 }, { userId: CUSTOMER_ID });
    const page1 = defined(first.data?._entities[0]).orders;
    expect(page1.edges.map((e) => e.node.number)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const last = await h.execute<Page>(
      USER_ORDERS,
      { r, first: 20, after: page1.pageInfo.endCursor },
      { userId: CUSTOMER_ID },
    );
    const page2 = defined(last.data?._entities[0]).orders;
    expect(page2.edges.map((e) => e.node.number)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const completed = await h.execute<Page>(
      USER_ORDERS,
      { r, first: 100, status: "COMPLETED" },
      { userId: CUSTOMER_ID },
    );
    expect(defined(completed.data?._entities[0]).orders.edges.map((e) => e.node.number)).toEqual([
      25, 22, 19, 16, 13, 10, 7, 4, 1,
    ]);
  });

  it("loads the pages and lines of many users in a fixed number of SQL statements (staff view)", async () => {
    const r = [CUSTOMER_ID, OTHER_CUSTOMER_ID].map((id) => ({ __typename: "User", id }));
    h.queries.reset();
    const result = await h.execute<Page>(
      USER_ORDERS,
      { r, first: 25 },
      { userId: STAFF_ID, scopes: ["orders:manage"] },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities.map((u) => u.orders.edges.length)).toEqual([25, 25]);
    expect(result.data?._entities[1]?.orders.edges[0]?.node.items).toEqual([{ sku: "S0" }, { sku: "S1" }]);
    // One LATERAL page query for both users, one IN query for all 50 orders' lines.
    expect(h.queries.count).toBe(2);
  });
});

describe("Order entity", () => {
  beforeEach(async () => seedOrders([CUSTOMER_ID], 3));

  it("resolves by id and by number through one batched query each, hiding other customers' orders", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id number total { amount currency } customer { id } } } }`;
    const r = [
      { __typename: "Order", id: orderId(1) },
      { __typename: "Order", number: 2 },
      { __typename: "Order", id: orderId(3) },
      { __typename: "Order", id: "not-a-uuid" },
    ];
    h.queries.reset();
    const mine = await h.execute<{ _entities: ({ number: number } | null)[] }>(query, { r }, { userId: CUSTOMER_ID });
    expect(mine.errors).toBeUndefined();
    expect(mine.data?._entities.map((o) => o?.number ?? null)).toEqual([1, 2, 3, null]);
    expect(h.queries.count).toBe(2);
    const someoneElse = await h.execute<{ _entities: unknown[] }>(query, { r }, { userId: OTHER_CUSTOMER_ID });
    expect(someoneElse.data?._entities).toEqual([null, null, null, null]);
    const staff = await h.execute<{ _entities: unknown[] }>(
      query,
      { r: r.slice(0, 1) },
      { userId: STAFF_ID, scopes: ["orders:manage"] },
    );
    expect(staff.data?._entities).toEqual([
      { id: orderId(1), number: 1, total: { amount: 300, currency: "EUR" }, customer: { id: CUSTOMER_ID } },
    ]);
  });

  it("answers Query.order with null for another customer's order, and UNAUTHENTICATED when anonymous", async () => {
    const query = `query($id: ID!) { order(id: $id) { number } }`;
    expect((await h.execute(query, { id: orderId(1) }, { userId: OTHER_CUSTOMER_ID })).data).toEqual({ order: null });
    expect(errorCodes((await h.execute(query, { id: orderId(1) })).errors)).toEqual(["UNAUTHENTICATED"]);
  });

  it("serves staff the kitchen queue oldest first", async () => {
    const result = await h.execute<{ orders: { edges: { node: { number: number } }[] } }>(
      `{ orders(first: 10, status: PLACED) { edges { node { number } } } }`,
      {},
      { userId: STAFF_ID, scopes: ["orders:manage"] },
    );
    expect(result.data?.orders.edges.map((e) => e.node.number)).toEqual([2, 3]);
  });
});
