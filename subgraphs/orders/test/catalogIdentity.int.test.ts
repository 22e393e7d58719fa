// orders reads the catalog under its own identity (x-service-signature with SERVICE_SECRET), never as the router:
// against real catalog servers over HTTP, guarded as deployed, one that trusts orders and one that does not.
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, inject } from "vitest";
import {
  ROUTER_SIGNATURE_HEADER,
  SERVICE_SIGNATURE_HEADER,
  signRouterRequest,
  signServiceRequest,
} from "@commerce/http";
import { errorCodes, postGraphQL } from "@commerce/testing";
import { CUSTOMER_ID, productId, seedMenu } from "./fixtures/menu.js";
import { HARNESS_ROUTER_SECRET, startHarness, type Harness } from "./harness.js";

let trusted: Harness;
let untrusted: Harness;
beforeAll(async () => {
  const infra = { databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") };
  [trusted, untrusted] = await Promise.all([
    startHarness({ ...infra, catalogTelemetry: true }),
    startHarness({ ...infra, catalogTrustsOrders: false, catalogTelemetry: true }),
  ]);
});
afterAll(async () => Promise.all([trusted?.stop(), untrusted?.stop()]));
beforeEach(async () => seedMenu(trusted.db));
afterEach(async () => trusted.reset());

const PLACE = `mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id total { amount currency } } }
}`;
const input = (idempotencyKey: string) => ({
  input: { idempotencyKey, items: [{ productId: productId(1), quantity: 2 }] },
});
const customer = { userId: CUSTOMER_ID };
const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id name } } }`;
const representations = { representations: [{ __typename: "Product", id: productId(1) }] };

describe("orders calling the catalog under its own identity", () => {
  it("prices placeOrder at a catalog that trusts orders, whose operation line names orders as the caller", async () => {
    const placed = await trusted.execute<{ placeOrder: { order: { total: { amount: number } } } }>(
      PLACE,
      input("identity"),
      customer,
    );
    expect(placed.errors).toBeUndefined();
    expect(placed.data?.placeOrder.order.total).toEqual({ amount: 202, currency: "EUR" });
    const lines = trusted.catalogLines.filter((line) => line.msg === "graphql operation");
    expect(lines.at(-1)).toMatchObject({ caller: "orders", type: "query", outcome: "success" });
  });

  it("is refused by a catalog that does not trust orders: placeOrder names the catalog and the reason, and writes nothing", async () => {
    const refused = await untrusted.execute(PLACE, input("untrusted"), customer);
    expect(errorCodes(refused.errors)).toEqual(["SUBGRAPH_HTTP_ERROR"]);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      serviceName: "catalog",
      reason: "answered UNAUTHENTICATED (SERVICE_SIGNATURE_UNKNOWN_SERVICE)",
    });
    expect(refused.data?.placeOrder ?? null).toBeNull();
    expect(await trusted.db.order.count()).toBe(0);
    // Nothing was executed at the catalog: the guard answered before GraphQL ran.
    expect(untrusted.catalogLines.filter((line) => line.msg === "graphql operation")).toEqual([]);
  });

  it("reads entities only: a mutation or another root field under orders' identity is refused before it resolves", async () => {
    const asOrders = { [SERVICE_SIGNATURE_HEADER]: signServiceRequest("orders", trusted.serviceKeys.orders ?? "") };
    const mutation = await postGraphQL(
      trusted.catalogUrl,
      `mutation { updateProduct(input: { id: "${productId(1)}", name: "Taken over" }) { product { id } } }`,
      {},
      asOrders,
    );
    expect(mutation.status).toBe(403);
    expect(mutation.errors?.[0]?.extensions).toMatchObject({
      code: "FORBIDDEN",
      reason: "SERVICE_OPERATION_NOT_ALLOWED",
      operation: "mutation",
    });
    expect((await trusted.db.product.findUniqueOrThrow({ where: { id: productId(1) } })).name).toBe("Menu item 1");

    const list = await postGraphQL(trusted.catalogUrl, `{ products(first: 5) { totalCount } }`, {}, asOrders);
    expect(list.status).toBe(403);
    expect(list.errors?.[0]?.extensions).toMatchObject({
      code: "FORBIDDEN",
      reason: "SERVICE_FIELD_NOT_ALLOWED",
      fields: ["Query.products"],
    });

    const read = await postGraphQL(trusted.catalogUrl, ENTITIES, representations, asOrders);
    expect(read.status).toBe(200);
    expect(read.data).toEqual({ _entities: [{ id: productId(1), name: "Menu item 1" }] });
  });

  it("still answers the router, under the router's signature, for what clients ask (a list query)", async () => {
    const asRouter = { [ROUTER_SIGNATURE_HEADER]: signRouterRequest(HARNESS_ROUTER_SECRET) };
    const list = await postGraphQL<{ products: { totalCount: number } }>(
      trusted.catalogUrl,
      `{ products(first: 5) { totalCount } }`,
      {},
      asRouter,
    );
    expect(list.status).toBe(200);
    expect(list.data?.products.totalCount).toBe(10);
    expect(trusted.catalogLines.filter((line) => line.msg === "graphql operation").at(-1)).toMatchObject({
      caller: "router",
    });
  });

  it("refuses the router's header made with a service's key, and a service header made with the router's secret", async () => {
    const forgedRouter = await postGraphQL(trusted.catalogUrl, ENTITIES, representations, {
      [ROUTER_SIGNATURE_HEADER]: signRouterRequest(trusted.serviceKeys.orders ?? ""),
    });
    expect(forgedRouter.status).toBe(401);
    expect(forgedRouter.errors?.[0]?.extensions).toEqual({
      code: "UNAUTHENTICATED",
      reason: "ROUTER_SIGNATURE_INVALID",
    });
    const forgedService = await postGraphQL(trusted.catalogUrl, ENTITIES, representations, {
      [SERVICE_SIGNATURE_HEADER]: signServiceRequest("orders", HARNESS_ROUTER_SECRET),
    });
    expect(forgedService.status).toBe(401);
    expect(forgedService.errors?.[0]?.extensions).toEqual({
      code: "UNAUTHENTICATED",
      reason: "SERVICE_SIGNATURE_INVALID",
    });
  });
});
