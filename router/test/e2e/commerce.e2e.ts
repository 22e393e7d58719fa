import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb, DEMO_USERS, type Db, type Prisma } from "@commerce/db";
import { defined, errorCodes, postGraphQL } from "@commerce/testing";
import { bearer, eventually, logIn, operation, startGraph, type Graph } from "./graph.js";

let graph: Graph;
let db: Db;
beforeAll(async () => {
  // The N+1 probe asks for 100 orders with nested lists: above the default cost limit by design (about 17,000 as a
  // document, 28,000 once its entity fetches are counted).
  graph = await startGraph({ routerEnv: { COST_MAX: "50000" } });
  db = createDb(inject("databaseUrl"), { poolSize: 2 });
});
afterAll(async () => {
  await db?.$disconnect();
  await graph?.stop();
});

describe("N+1: statements are bounded by the query's depth, not by its rows", () => {
  const HISTORY = `query OrderHistoryWithReviews {
    me { orders(first: 100) { edges { node {
      items { product { name rating { average } reviews(first: 3) { edges { node { author { displayName } } } } } }
      pointsEarned
    } } } }
  }`;
  type History = {
    me: {
      orders: {
        edges: {
          node: {
            items: {
              product: {
                name: string;
                rating: { average: number | null };
                reviews: { edges: { node: { author: { displayName: string } } }[] };
              };
            }[];
            pointsEarned: number;
          };
        }[];
      };
    };
  };

  /** A new customer (seed password) with `count` orders of 3 seeded products each; every other order completed and credited. */
  async function customerWithOrders(count: number): Promise<string> {
    const demo = await db.user.findUniqueOrThrow({ where: { email: DEMO_USERS.customer } });
    const email = `n-plus-one-${count}@example.com`;
    const user = await db.user.create({
      data: { email, displayName: `Orders ${count}`, passwordHash: demo.passwordHash },
    });
    // Products that have reviews, so every level of the query has rows to load.
    const reviewed = await db.review.groupBy({ by: ["productId"], orderBy: { productId: "asc" }, take: 150 });
    const products = await db.product.findMany({
      where: { id: { in: reviewed.map((r) => r.productId) } },
      orderBy: { sku: "asc" },
    });
    let balance = 0;
    for (let i = 0; i < count; i += 1) {
      const lines = [0, 1, 2].map((k) => defined(products[(i * 3 + k) % products.length]));
      const total = lines.reduce((sum, p) => sum + p.priceAmount, 0);
      const order = await db.order.create({
        data: {
          customerId: user.id,
          idempotencyKey: `n1-${i}`,
          requestHash: "fixture",
          status: i % 2 ? "PLACED" : "COMPLETED",
          totalAmount: total,
          currency: "USD",
          items: {
            createMany: {
              data: lines.map((p, position) => ({
                position,
                productId: p.id,
                productSku: p.sku,
                productName: p.name,
                unitAmount: p.priceAmount,
                currency: p.currency,
                quantity: 1,
              })),
            },
          },
        },
      });
      if (i % 2 === 0) {
        balance += Math.floor(total / 100);
        const entry: Prisma.LedgerEntryCreateManyInput = {
          userId: user.id,
          kind: "EARN",
          points: Math.floor(total / 100),
          balanceAfter: balance,
          sourceOrderId: order.id,
          orderNumber: order.number,
        };
        await db.ledgerEntry.create({ data: entry });
      }
    }
    return email;
  }

  /** Runs the history query on cold caches and returns the statements each subgraph sent. */
  async function measure(email: string): Promise<{ counts: Record<string, number>; data: History }> {
    const { token } = await logIn(graph.url, email);
    await graph.redis.flushdb();
    for (const counter of Object.values(graph.sql)) counter.reset();
    const response = await postGraphQL<History>(graph.url, HISTORY, {}, bearer(token));
    expect(response.errors).toBeUndefined();
    const counts = Object.fromEntries(Object.entries(graph.sql).map(([name, counter]) => [name, counter.count]));
    return { counts, data: defined(response.data) };
  }

  it("costs the same statements per subgraph for 10 orders as for 100", async () => {
    const ten = await measure(await customerWithOrders(10));
    const hundred = await measure(await customerWithOrders(100));
    expect(ten.data.me.orders.edges).toHaveLength(10);
    expect(hundred.data.me.orders.edges).toHaveLength(100);
    const firstItem = defined(hundred.data.me.orders.edges[0]?.node.items[0]);
    expect(firstItem.product.name).toEqual(expect.any(String));
    expect(
      hundred.data.me.orders.edges.some((e) => e.node.items.some((i) => i.product.reviews.edges.length === 3)),
    ).toBe(true);
    expect(hundred.data.me.orders.edges.filter((e) => e.node.pointsEarned > 0)).toHaveLength(50);

    // accounts: `me` (1, cold cache) + every review author (1); catalog: every product (1, cold cache);
    // orders: the page (1) + all lines (1); reviews: all ratings (1 GROUP BY) + all review pages (1 LATERAL);
    // loyalty: pointsEarned for all orders (1).
    expect(ten.counts).toEqual({ accounts: 2, catalog: 1, orders: 2, loyalty: 1, reviews: 2 });
    expect(hundred.counts).toEqual(ten.counts);
  });
});

describe("orders → loyalty through the router", () => {
  it("places an order, moves it to COMPLETED as staff, and the points arrive through the event stream", async () => {
    const customer = await logIn(graph.url, DEMO_USERS.customer);
    const staff = await logIn(graph.url, DEMO_USERS.staff);
    const LOYALTY = `{ me { loyalty { balance lifetimePoints } } }`;
    const before = defined(
      (await postGraphQL<{ me: { loyalty: { balance: number } } }>(graph.url, LOYALTY, {}, bearer(customer.token)))
        .data,
    ).me.loyalty;
    const product = await db.product.findFirstOrThrow({ where: { available: true }, orderBy: { sku: "asc" } });

    const input = { idempotencyKey: "e2e-checkout-1", items: [{ productId: product.id, quantity: 3 }] };
    type Placed = {
      placeOrder: {
        order: { id: string; total: { amount: number }; pointsToEarn: number; items: { productName: string }[] };
      };
    };
    const placed = await postGraphQL<Placed>(
      graph.url,
      await operation("orders/PlaceOrder.graphql"),
      { input },
      bearer(customer.token),
    );
    expect(placed.errors).toBeUndefined();
    const order = defined(placed.data).placeOrder.order;
    expect(order.total.amount).toBe(product.priceAmount * 3);
    expect(order.items[0]?.productName).toBe(product.name);
    // @requires: loyalty computes the points from the total orders resolved first.
    expect(order.pointsToEarn).toBe(Math.floor((product.priceAmount * 3) / 100));
    const retried = await postGraphQL<Placed>(
      graph.url,
      await operation("orders/PlaceOrder.graphql"),
      { input },
      bearer(customer.token),
    );
    expect(retried.data?.placeOrder.order.id).toBe(order.id);

    const move = await operation("orders/UpdateOrderStatus.graphql");
    for (const status of ["PREPARING", "READY", "COMPLETED"]) {
      const moved = await postGraphQL(graph.url, move, { input: { orderId: order.id, status } }, bearer(staff.token));
      expect(moved.errors).toBeUndefined();
    }
    const after = await eventually(
      async () =>
        defined(
          (await postGraphQL<{ me: { loyalty: { balance: number } } }>(graph.url, LOYALTY, {}, bearer(customer.token)))
            .data,
        ).me.loyalty,
      (loyalty) => loyalty.balance > before.balance,
      "the loyalty credit",
    );
    expect(after.balance - before.balance).toBe(order.pointsToEarn);
    const detail = await postGraphQL<{ order: { status: string; pointsEarned: number } }>(
      graph.url,
      await operation("orders/OrderDetail.graphql"),
      { id: order.id },
      bearer(customer.token),
    );
    expect(detail.data?.order).toMatchObject({ status: "COMPLETED", pointsEarned: order.pointsToEarn });
  });

  it("keeps the subgraphs' error codes (unknown product, insufficient points) and refuses a staff-only move and an anonymous checkout at the router", async () => {
    const customer = await logIn(graph.url, DEMO_USERS.customer);
    const place = await operation("orders/PlaceOrder.graphql");
    const unknown = await postGraphQL(
      graph.url,
      place,
      {
        input: {
          idempotencyKey: "e2e-bad",
          items: [{ productId: "00000000-0000-4000-8000-000000000000", quantity: 1 }],
        },
      },
      bearer(customer.token),
    );
    expect(unknown.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.items[0].productId",
      reason: "UNKNOWN_PRODUCT",
    });
    const move = await postGraphQL(
      graph.url,
      await operation("orders/UpdateOrderStatus.graphql"),
      { input: { orderId: "00000000-0000-4000-8000-000000000000", status: "READY" } },
      bearer(customer.token),
    );
    // updateOrderStatus is @requiresScopes(orders:manage): the router removes it before orders is called (the orders
    // shield's FORBIDDEN stays behind it). A non-null root field removed: `data` is null.
    expect(move.data).toBeNull();
    expect(move.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
      ["UNAUTHORIZED_FIELD_OR_TYPE", ["updateOrderStatus"]],
    ]);
    const rewards = await postGraphQL<{ rewards: { id: string; cost: number }[] }>(
      graph.url,
      await operation("loyalty/Rewards.graphql"),
    );
    const priciest = defined(rewards.data?.rewards.at(-1));
    const redeem = await postGraphQL(
      graph.url,
      await operation("loyalty/RedeemReward.graphql"),
      { input: { rewardId: priciest.id, idempotencyKey: "e2e-redeem" } },
      bearer(customer.token),
    );
    expect(redeem.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "INSUFFICIENT_POINTS",
      cost: priciest.cost,
    });
    const anonymous = await postGraphQL(graph.url, place, { input: { idempotencyKey: "e2e-anon", items: [] } });
    // placeOrder is @authenticated: refused at the router (the orders shield's UNAUTHENTICATED stays behind it).
    expect(anonymous.data).toBeNull();
    expect(anonymous.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
      ["UNAUTHORIZED_FIELD_OR_TYPE", ["placeOrder"]],
    ]);
  });
});

describe("who sees a customer's orders and points through the router", () => {
  const OF_USER = `query($id: ID!) { user(id: $id) { orders(first: 1) { edges { node { id } } } loyalty { balance } } }`;
  const ORDER = `query($id: ID!) { order(id: $id) { id } }`;
  const QUEUE = `{ orders(first: 1) { edges { cursor } } }`;
  type OfUser = { user: { orders: { edges: unknown[] } | null; loyalty: { balance: number } | null } };
  const codesAndPaths = (response: {
    errors?: readonly { extensions?: Record<string, unknown>; path?: readonly (string | number)[] }[];
  }) => (response.errors ?? []).map((e) => [e.extensions?.code, e.path]);

  it("answers anonymous callers at the router, other customers with the subgraphs' row-level FORBIDDEN or null, and the customer and staff with data", async () => {
    const demo = await db.user.findUniqueOrThrow({ where: { email: DEMO_USERS.customer } });
    const other = await db.user.create({
      data: {
        email: `other-customer-${Date.now()}@example.com`,
        displayName: "Other",
        passwordHash: demo.passwordHash,
      },
    });
    const orderId = (await db.order.findFirstOrThrow({ where: { customerId: demo.id } })).id;
    const [customer, stranger, staff] = await Promise.all([
      logIn(graph.url, DEMO_USERS.customer),
      logIn(graph.url, other.email),
      logIn(graph.url, DEMO_USERS.staff),
    ]);

    const anonymous = await postGraphQL<OfUser>(graph.url, OF_USER, { id: demo.id });
    expect(anonymous.data).toEqual({ user: { orders: null, loyalty: null } });
    expect(codesAndPaths(anonymous)).toEqual([
      ["UNAUTHORIZED_FIELD_OR_TYPE", ["user", "orders"]],
      ["UNAUTHORIZED_FIELD_OR_TYPE", ["user", "loyalty"]],
    ]);
    const byStranger = await postGraphQL<OfUser>(graph.url, OF_USER, { id: demo.id }, bearer(stranger.token));
    expect(byStranger.data).toEqual({ user: { orders: null, loyalty: null } });
    expect(errorCodes(byStranger.errors).sort()).toEqual(["FORBIDDEN", "FORBIDDEN"]);
    for (const viewer of [customer, staff]) {
      const allowed = await postGraphQL<OfUser>(graph.url, OF_USER, { id: demo.id }, bearer(viewer.token));
      expect(allowed.errors).toBeUndefined();
      expect(allowed.data?.user.orders?.edges).toHaveLength(1);
      expect(allowed.data?.user.loyalty?.balance).toEqual(expect.any(Number));
    }

    const orderAnonymous = await postGraphQL(graph.url, ORDER, { id: orderId });
    expect(orderAnonymous.data).toEqual({ order: null });
    expect(codesAndPaths(orderAnonymous)).toEqual([["UNAUTHORIZED_FIELD_OR_TYPE", ["order"]]]);
    // Another customer's order is row-level in orders: null, no error.
    const orderByStranger = await postGraphQL(graph.url, ORDER, { id: orderId }, bearer(stranger.token));
    expect(orderByStranger.data).toEqual({ order: null });
    expect(orderByStranger.errors).toBeUndefined();
    for (const viewer of [customer, staff])
      expect((await postGraphQL(graph.url, ORDER, { id: orderId }, bearer(viewer.token))).data).toEqual({
        order: { id: orderId },
      });

    const queueByCustomer = await postGraphQL(graph.url, QUEUE, {}, bearer(customer.token));
    expect(queueByCustomer.data).toBeNull();
    expect(codesAndPaths(queueByCustomer)).toEqual([["UNAUTHORIZED_FIELD_OR_TYPE", ["orders"]]]);
    const queueByStaff = await postGraphQL<{ orders: { edges: unknown[] } }>(graph.url, QUEUE, {}, bearer(staff.token));
    expect(queueByStaff.errors).toBeUndefined();
    expect(queueByStaff.data?.orders.edges).toHaveLength(1);
  });
});

describe("reviews through the router", () => {
  it("writes a review that shows in the product's rating, and refuses edits by anyone but the author", async () => {
    const author = await logIn(graph.url, DEMO_USERS.staff);
    const stranger = await logIn(graph.url, DEMO_USERS.customer);
    const alreadyReviewed = await db.review.findMany({
      where: { authorId: author.userId },
      select: { productId: true },
    });
    const product = await db.product.findFirstOrThrow({
      where: { id: { notIn: alreadyReviewed.map((r) => r.productId) } },
      orderBy: { sku: "asc" },
    });
    type Created = { createReview: { review: { id: string; product: { rating: { count: number } } } } };
    const created = await postGraphQL<Created>(
      graph.url,
      await operation("reviews/CreateReview.graphql"),
      { input: { productId: product.id, rating: 5, body: "Great." } },
      bearer(author.token),
    );
    expect(created.errors).toBeUndefined();
    const review = defined(created.data).createReview.review;
    const page = await postGraphQL<{
      product: {
        rating: { count: number };
        reviews: { edges: { node: { id: string; author: { displayName: string } } }[] };
      };
    }>(graph.url, await operation("reviews/ProductReviews.graphql"), { id: product.id });
    expect(page.data?.product.reviews.edges[0]?.node).toEqual(
      expect.objectContaining({ id: review.id, author: expect.objectContaining({ displayName: "Store Staff" }) }),
    );
    expect(page.data?.product.rating.count).toBe(review.product.rating.count);
    const hijack = await postGraphQL(
      graph.url,
      await operation("reviews/UpdateReview.graphql"),
      { input: { id: review.id, rating: 1 } },
      bearer(stranger.token),
    );
    expect(errorCodes(hijack.errors)).toEqual(["FORBIDDEN"]);
    const duplicate = await postGraphQL(
      graph.url,
      await operation("reviews/CreateReview.graphql"),
      { input: { productId: product.id, rating: 4 } },
      bearer(author.token),
    );
    expect(errorCodes(duplicate.errors)).toEqual(["CONFLICT"]);
  });
});
