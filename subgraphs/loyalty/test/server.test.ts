import { describe, expect, it } from "vitest";
import { errorCodes } from "@commerce/testing";
import { describeSubgraphSchema, offlineDeps, useInProcess } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";
import { subgraph } from "../src/server.js";
import { MalformedEventError, type OrderCompletedV1 } from "@commerce/events";
import { creditFromOrderCompleted } from "../src/orderEvents.js";
import { pointsForAmount, pointsToNextTier, tierFor } from "../src/points.js";

// Nothing listens on port 1: these tests must be answered before any SQL.
const graph = useInProcess(subgraph, offlineDeps(loadConfig));
const CUSTOMER = "6f1c1f0e-9d1a-4c55-8f43-0a3c2f1b7d10";

const execute = (query: string, variables: Record<string, unknown> = {}, scopes?: string[]) =>
  graph.executeAs(query, variables, scopes && { userId: CUSTOMER, scopes });

describeSubgraphSchema(graph, new URL("../schema.graphql", import.meta.url));

describe("permissions (graphql-shield)", () => {
  it("answers UNAUTHENTICATED to an anonymous redemption", async () => {
    const result = await execute(
      `mutation { redeemReward(input: { rewardId: "${CUSTOMER}", idempotencyKey: "k1" }) { account { balance } } }`,
    );
    expect(errorCodes(result.errors)).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses a malformed idempotency key with BAD_USER_INPUT before any SQL", async () => {
    const result = await execute(
      `mutation { redeemReward(input: { rewardId: "${CUSTOMER}", idempotencyKey: "not a key!" }) { account { balance } } }`,
      {},
      ["profile"],
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.idempotencyKey" });
  });

  it("answers FORBIDDEN to another member's points, and lets staff read them", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { loyalty { balance } } } }`;
    const r = [{ __typename: "User", id: "11111111-1111-4111-8111-111111111111" }];
    expect(errorCodes((await execute(query, { r }, ["profile"])).errors)).toEqual(["FORBIDDEN"]);
    // Staff pass the rule and reach the (unreachable) database: masked, not FORBIDDEN.
    expect(errorCodes((await execute(query, { r }, ["orders:manage"])).errors)).toEqual(["INTERNAL_SERVER_ERROR"]);
  });

  it("computes pointsToEarn from the total the router brings (@requires), without SQL", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { pointsToEarn } } }`;
    const r = [{ __typename: "Order", id: CUSTOMER, total: { amount: 1299, currency: "EUR" } }];
    expect((await execute(query, { r })).data).toEqual({ _entities: [{ pointsToEarn: 12 }] });
  });
});

describe("points and tiers", () => {
  it("earns one point per whole currency unit", () => {
    expect([0, 99, 100, 1299, 100_000].map(pointsForAmount)).toEqual([0, 0, 1, 12, 1000]);
  });

  it("derives the tier and the distance to the next one from lifetime points", () => {
    expect([0, 499, 500, 1500, 3999, 4000].map(tierFor)).toEqual([
      "BRONZE",
      "BRONZE",
      "SILVER",
      "GOLD",
      "GOLD",
      "PLATINUM",
    ]);
    expect([0, 499, 1500, 4000].map(pointsToNextTier)).toEqual([500, 1, 2500, null]);
  });
});

describe("order.completed payload", () => {
  const valid: OrderCompletedV1 = {
    version: 1,
    orderId: "D2000000-0000-4000-8000-000000000001",
    orderNumber: 7,
    customerId: CUSTOMER,
    total: { amount: 1250, currency: "EUR" },
    completedAt: "2026-11-21T12:00:00.000Z",
  };

  it("turns a version-1 event into a credit", () => {
    expect(creditFromOrderCompleted(JSON.stringify(valid))).toEqual({
      orderId: valid.orderId.toLowerCase(),
      orderNumber: 7,
      userId: CUSTOMER,
      points: 12,
      at: new Date(valid.completedAt),
    });
  });

  it("refuses a payload the contract's validator refuses (its cases: @commerce/events)", () => {
    expect(() => creditFromOrderCompleted(JSON.stringify({ ...valid, version: 2 }))).toThrow(MalformedEventError);
  });
});
