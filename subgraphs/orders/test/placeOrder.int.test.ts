import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, inject } from "vitest";
import { freePort } from "@commerce/stack";
import { createCatalogClient } from "@commerce/subgraph";
import { errorCodes } from "@commerce/testing";
import { CUSTOMER_ID, OTHER_CUSTOMER_ID, productId, seedMenu } from "./fixtures/menu.js";
import { startHarness, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });
});
afterAll(async () => h?.stop());
beforeEach(async () => seedMenu(h.db));
afterEach(async () => h.reset());

const PLACE = `mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    order { id number status total { amount currency } items { productName sku quantity unitPrice { amount currency } lineTotal { amount } product { id } } customer { id } }
  }
}`;
type Placed = {
  placeOrder: {
    order: {
      id: string;
      number: number;
      status: string;
      total: { amount: number; currency: string };
      items: { productName: string; quantity: number; unitPrice: { amount: number } }[];
    };
  };
};
const customer = { userId: CUSTOMER_ID };
const input = (
  idempotencyKey: string,
  items = [
    { productId: productId(1), quantity: 2 },
    { productId: productId(2), quantity: 1 },
  ],
) => ({ input: { idempotencyKey, items } });

describe("placeOrder", () => {
  it("prices the order from the catalog and snapshots each line", async () => {
    const result = await h.execute<Placed>(PLACE, input("first-order"), customer);
    expect(result.errors).toBeUndefined();
    const order = result.data?.placeOrder.order;
    expect(order).toMatchObject({
      status: "PLACED",
      total: { amount: 2 * 101 + 102, currency: "EUR" },
      items: [
        {
          productName: "Menu item 1",
          sku: "ORD-0001",
          quantity: 2,
          unitPrice: { amount: 101, currency: "EUR" },
          lineTotal: { amount: 202 },
          product: { id: productId(1) },
        },
        {
          productName: "Menu item 2",
          sku: "ORD-0002",
          quantity: 1,
          unitPrice: { amount: 102, currency: "EUR" },
          lineTotal: { amount: 102 },
          product: { id: productId(2) },
        },
      ],
      customer: { id: CUSTOMER_ID },
    });
    // The snapshot does not follow later catalog changes.
    await h.db.product.update({ where: { id: productId(1) }, data: { priceAmount: 999, name: "Renamed" } });
    const again = await h.execute<{ order: { items: { productName: string; unitPrice: { amount: number } }[] } }>(
      `query($id: ID!) { order(id: $id) { items { productName unitPrice { amount } } } }`,
      { id: order?.id },
      customer,
    );
    expect(again.data?.order.items[0]).toEqual({ productName: "Menu item 1", unitPrice: { amount: 101 } });
    const history = await h.db.orderStatusChange.findMany({ where: { orderId: order?.id } });
    expect(history).toMatchObject([{ fromStatus: null, toStatus: "PLACED", changedBy: CUSTOMER_ID }]);
  });

  it("names an unknown product, an unavailable product and mixed currencies with BAD_USER_INPUT", async () => {
    const unknown = "a1000000-0000-4000-8000-0000000000ff";
    const cases: [unknown, string, string][] = [
      [
        [
          { productId: productId(1), quantity: 1 },
          { productId: unknown, quantity: 1 },
        ],
        "input.items[1].productId",
        "UNKNOWN_PRODUCT",
      ],
      [[{ productId: productId(5), quantity: 1 }], "input.items[0].productId", "PRODUCT_UNAVAILABLE"],
      [
        [
          { productId: productId(1), quantity: 1 },
          { productId: productId(6), quantity: 1 },
        ],
        "input.items[1].productId",
        "MIXED_CURRENCIES",
      ],
    ];
    for (const [items, field, reason] of cases) {
      const result = await h.execute(PLACE, { input: { idempotencyKey: `bad-${reason}`, items } }, customer);
      expect(errorCodes(result.errors)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.extensions).toMatchObject({ field, reason });
    }
    expect(await h.db.order.count()).toBe(0);
    const unavailable = await h.execute(
      PLACE,
      { input: { idempotencyKey: "x", items: [{ productId: productId(5), quantity: 1 }] } },
      customer,
    );
    expect(unavailable.errors?.[0]?.extensions?.productName).toBe("Menu item 5");
  });

  it("returns the original order when the same key is retried, and CONFLICT when it is reused for other items", async () => {
    const first = await h.execute<Placed>(PLACE, input("retry-me"), customer);
    const retry = await h.execute<Placed>(PLACE, input("retry-me"), customer);
    expect(retry.data?.placeOrder.order.id).toBe(first.data?.placeOrder.order.id);
    const reused = await h.execute(PLACE, input("retry-me", [{ productId: productId(3), quantity: 1 }]), customer);
    expect(errorCodes(reused.errors)).toEqual(["CONFLICT"]);
    expect(reused.errors?.[0]?.extensions?.field).toBe("input.idempotencyKey");
    // Keys are per customer: another customer's identical key is another order.
    const other = await h.execute<Placed>(PLACE, input("retry-me"), { userId: OTHER_CUSTOMER_ID });
    expect(other.data?.placeOrder.order.id).not.toBe(first.data?.placeOrder.order.id);
    expect(await h.db.order.count()).toBe(2);
  });

  it("names the catalog when it cannot be reached (SUBGRAPH_UNAVAILABLE), writes nothing, and the same key places the order once it is back", async () => {
    const catalog = h.deps.catalog;
    // Nothing listens on this port.
    h.deps.catalog = createCatalogClient({ url: `http://127.0.0.1:${await freePort()}/graphql`, retries: 0 });
    try {
      const down = await h.execute(PLACE, input("catalog-down"), customer);
      expect(down.errors?.[0]?.extensions).toMatchObject({
        code: "SUBGRAPH_UNAVAILABLE",
        serviceName: "catalog",
        reason: "connection refused",
      });
      expect(down.errors?.[0]?.message).toMatch(/catalog/);
      expect(await h.db.order.count()).toBe(0);
    } finally {
      h.deps.catalog = catalog;
    }
    expect((await h.execute(PLACE, input("catalog-down"), customer)).errors).toBeUndefined();
    expect(await h.db.order.count()).toBe(1);
  });

  it("creates exactly one order when 50 identical requests race, and every caller gets it", async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => h.execute<Placed>(PLACE, input("racing-key"), customer)),
    );
    expect(results.flatMap((r) => errorCodes(r.errors))).toEqual([]);
    const ids = new Set(results.map((r) => r.data?.placeOrder.order.id));
    expect(ids.size).toBe(1);
    expect(await h.db.order.count({ where: { customerId: CUSTOMER_ID } })).toBe(1);
    expect(await h.db.orderItem.count()).toBe(2);
    expect(await h.db.orderStatusChange.count()).toBe(1);
  });
});
