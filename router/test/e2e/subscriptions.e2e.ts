import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ApolloClient, gql, InMemoryCache } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient as createWsClient } from "graphql-ws";
import { createClient as createSseClient } from "graphql-sse";
import WebSocket from "ws";
import { createDb, DEMO_USERS, type Db } from "@commerce/db";
import { defined, postGraphQL } from "@commerce/testing";
import { describe as codesOf, Recording } from "../subscriptions/clients.js";
import { bearer, eventually, logIn, operation, startGraph, type Graph } from "./graph.js";

let graph: Graph;
let db: Db;
const cleanups: (() => unknown)[] = [];
beforeAll(async () => {
  graph = await startGraph();
  db = createDb(inject("databaseUrl"), { poolSize: 2 });
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await db?.$disconnect();
  await graph?.stop();
});

const wsUrl = () => graph.url.replace(/^http/, "ws");

/** A graphql-ws client as a browser would hold it, signed in through connectionParams (or anonymous). */
function wsClient(token?: string) {
  const client = createWsClient({
    url: wsUrl(),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: token ? bearer(token) : {},
  });
  cleanups.push(() => client.dispose());
  return client;
}

interface OrderUpdate {
  orderUpdated: {
    id: string;
    status: string;
    items: { productName: string; quantity: number; product: { id: string; name: string } }[];
    customer: { id: string; displayName: string };
    pointsToEarn: number | null;
  };
}

describe("order tracking over subscriptions, through the router", () => {
  it("delivers PREPARING → READY → COMPLETED to the customer over graphql-ws (Apollo Client) and over SSE, with orders, catalog and accounts fields, then the loyalty credit follows", async () => {
    const [customer, staff] = await Promise.all([
      logIn(graph.url, DEMO_USERS.customer),
      logIn(graph.url, DEMO_USERS.staff),
    ]);
    const LOYALTY = "{ me { loyalty { balance } displayName } }";
    type Me = { me: { loyalty: { balance: number }; displayName: string } };
    const before = defined((await postGraphQL<Me>(graph.url, LOYALTY, {}, bearer(customer.token))).data).me;
    const product = await db.product.findFirstOrThrow({ where: { available: true }, orderBy: { sku: "asc" } });
    type Placed = { placeOrder: { order: { id: string; pointsToEarn: number } } };
    const placed = await postGraphQL<Placed>(
      graph.url,
      await operation("orders/PlaceOrder.graphql"),
      { input: { idempotencyKey: "e2e-subscriptions", items: [{ productId: product.id, quantity: 2 }] } },
      bearer(customer.token),
    );
    const order = defined(placed.data, "placed order").placeOrder.order;
    const ORDER_UPDATES = await operation("orders/OrderUpdates.graphql");

    // The customer's phone: Apollo Client with GraphQLWsLink, signed in through connectionParams.
    const socket = createWsClient({ url: wsUrl(), webSocketImpl: WebSocket, connectionParams: bearer(customer.token) });
    const apollo = new ApolloClient({ link: new GraphQLWsLink(socket), cache: new InMemoryCache() });
    cleanups.push(
      () => apollo.stop(),
      () => socket.dispose(),
    );
    const overWs: OrderUpdate[] = [];
    const apolloSubscription = apollo
      .subscribe<OrderUpdate>({ query: gql(ORDER_UPDATES), variables: { id: order.id }, fetchPolicy: "no-cache" })
      .subscribe({
        next: (result) => void (result.data && overWs.push(result.data as OrderUpdate)),
      });
    cleanups.push(() => apolloSubscription.unsubscribe());

    // The customer's laptop: graphql-sse over Server-Sent Events, signed in with the Authorization header.
    const sse = createSseClient({ url: graph.url, headers: bearer(customer.token), retryAttempts: 0 });
    const overSse = new Recording();
    cleanups.push(sse.subscribe({ query: ORDER_UPDATES, variables: { id: order.id } }, overSse.sink as never));

    // The kitchen screen: graphql-ws, staff.
    const kitchen = new Recording();
    cleanups.push(
      wsClient(staff.token).subscribe(
        { query: await operation("orders/KitchenQueueUpdates.graphql") },
        kitchen.sink as never,
      ),
    );

    await eventually(
      async () => graph.orderSubscriptions(),
      (count) => count === 3,
      "the three subscriptions upstream",
    );
    const move = await operation("orders/UpdateOrderStatus.graphql");
    for (const status of ["PREPARING", "READY", "COMPLETED"]) {
      expect(
        (await postGraphQL(graph.url, move, { input: { orderId: order.id, status } }, bearer(staff.token))).errors,
      ).toBeUndefined();
    }
    await eventually(
      async () => overWs.length,
      (count) => count >= 3,
      "three events over graphql-ws",
    );
    await overSse.received(3, 15_000);
    await kitchen.until(
      (r) => r.results.filter((e) => (e.data?.kitchenQueue as { id: string } | undefined)?.id === order.id).length >= 3,
      "three kitchen events",
      15_000,
    );

    const expected = ["PREPARING", "READY", "COMPLETED"].map((status) => ({
      id: order.id,
      status,
      // catalog: the product's name; accounts: the customer's display name; loyalty: the points the order earns.
      items: [{ productName: product.name, quantity: 2, product: { id: product.id, name: product.name } }],
      customer: { id: customer.userId, displayName: before.displayName },
      pointsToEarn: order.pointsToEarn,
    }));
    expect(overWs.map((event) => event.orderUpdated)).toMatchObject(expected);
    expect(overSse.results.map((event) => event.errors)).toEqual([undefined, undefined, undefined]);
    expect(overSse.results.map((event) => (event.data as unknown as OrderUpdate).orderUpdated)).toMatchObject(expected);
    expect(
      kitchen.results
        .map((e) => e.data?.kitchenQueue as { id: string; status: string })
        .filter((e) => e.id === order.id)
        .map((e) => e.status),
    ).toEqual(["PREPARING", "READY", "COMPLETED"]);

    const after = await eventually(
      async () => defined((await postGraphQL<Me>(graph.url, LOYALTY, {}, bearer(customer.token))).data).me.loyalty,
      (loyalty) => loyalty.balance > before.loyalty.balance,
      "the loyalty credit",
    );
    expect(after.balance - before.loyalty.balance).toBe(order.pointsToEarn);
  });

  it("refuses an anonymous subscriber, another customer and a customer on the kitchen queue, each with a coded error", async () => {
    const [customer, stranger] = await Promise.all([logIn(graph.url, DEMO_USERS.customer), signUpStranger()]);
    const owned = await db.order.findFirstOrThrow({ where: { customerId: customer.userId } });
    const ORDER_UPDATES = await operation("orders/OrderUpdates.graphql");

    const anonymous = new Recording();
    wsClient().subscribe({ query: ORDER_UPDATES, variables: { id: owned.id } }, anonymous.sink as never);
    const notOwner = new Recording();
    wsClient(stranger.token).subscribe({ query: ORDER_UPDATES, variables: { id: owned.id } }, notOwner.sink as never);
    const notStaff = new Recording();
    wsClient(customer.token).subscribe(
      { query: await operation("orders/KitchenQueueUpdates.graphql") },
      notStaff.sink as never,
    );
    const overSse = new Recording();
    createSseClient({ url: graph.url, retryAttempts: 0 }).subscribe(
      { query: ORDER_UPDATES, variables: { id: owned.id } },
      overSse.sink as never,
    );

    for (const refused of [anonymous, notOwner, notStaff, overSse]) await refused.end(15_000);
    // At the router, before planning: @authenticated and @requiresScopes(orders:manage).
    expect(codesOf(anonymous.error)).toEqual(["UNAUTHORIZED_FIELD_OR_TYPE"]);
    expect(codesOf(notStaff.error)).toEqual(["UNAUTHORIZED_FIELD_OR_TYPE"]);
    expect(overSse.results.map((r) => r.errors?.map((e) => e.extensions?.code))).toEqual([
      ["UNAUTHORIZED_FIELD_OR_TYPE"],
    ]);
    // At the orders subgraph, row-level: another customer's order is NOT_FOUND (its existence is not revealed).
    expect(notOwner.results.map((r) => r.errors?.map((e) => e.extensions?.code))).toEqual([["NOT_FOUND"]]);
  });
});

/** A second customer, signed up through the router. */
async function signUpStranger(): Promise<{ token: string; userId: string }> {
  const response = await postGraphQL<{ signUp: { accessToken: string; user: { id: string } } }>(
    graph.url,
    "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }",
    {
      input: {
        email: "stranger-subscriptions@example.com",
        password: "a long enough passphrase 42",
        displayName: "Stranger",
      },
    },
  );
  const session = defined(response.data?.signUp, "signUp");
  return { token: session.accessToken, userId: session.user.id };
}
