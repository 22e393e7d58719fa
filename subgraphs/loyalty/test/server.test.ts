import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, print } from "graphql";
import { createTokenSigner, DEV_JWT_SECRET } from "@commerce/auth";
import { createLogger } from "@commerce/common";
import { createDb } from "@commerce/db";
import { defined, errorCodes } from "@commerce/testing";
import { loadConfig } from "../src/config.js";
import { createContext, createServer, type LoyaltyDeps } from "../src/server.js";
import { MalformedEventError, type OrderCompletedV1 } from "@commerce/events";
import { creditFromOrderCompleted } from "../src/orderEvents.js";
import { pointsForAmount, pointsToNextTier, tierFor } from "../src/points.js";
import { normalizedServedSdl, undocumented } from "@commerce/subgraph";

// Nothing listens on port 1: these tests must be answered before any SQL.
const config = loadConfig({ DATABASE_URL: "postgresql://loyalty@127.0.0.1:1/none", NODE_ENV: "test", LOG_LEVEL: "silent" });
const deps: LoyaltyDeps = { db: createDb(config.databaseUrl, { poolSize: 1 }), logger: createLogger("loyalty", "silent"), config };
const server = createServer(deps);
const context = createContext(deps);
const signer = createTokenSigner({ secret: DEV_JWT_SECRET, ttlSeconds: 60 });
const CUSTOMER = "6f1c1f0e-9d1a-4c55-8f43-0a3c2f1b7d10";

beforeAll(async () => server.start());
afterAll(async () => {
  await server.stop();
  await deps.db.$disconnect();
});

async function execute(query: string, variables: Record<string, unknown> = {}, scopes?: string[]) {
  const headers: Record<string, string> = scopes ? { authorization: `Bearer ${await signer.sign(CUSTOMER, scopes)}` } : {};
  const response = await server.executeOperation({ query, variables }, { contextValue: await context({ headers }) });
  if (response.body.kind !== "single") throw new Error("expected a single result");
  return response.body.singleResult;
}


describe("schema", () => {
  const file = readFile(new URL("../schema.graphql", import.meta.url), "utf8");

  it("serves schema.graphql as its _service SDL, with nothing but federation's own additions", async () => {
    const result = await execute("{ _service { sdl } }");
    const served = defined((result.data as { _service: { sdl: string } } | undefined)?._service.sdl, "sdl");
    expect(normalizedServedSdl(served)).toBe(print(parse(await file)));
  });

  it("documents every type, field, argument, input field and enum value", async () => {
    expect(undocumented(await file)).toEqual([]);
  });
});

describe("permissions (graphql-shield)", () => {
  it("answers UNAUTHENTICATED to an anonymous redemption", async () => {
    const result = await execute(`mutation { redeemReward(input: { rewardId: "${CUSTOMER}", idempotencyKey: "k1" }) { account { balance } } }`);
    expect(errorCodes(result.errors)).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses a malformed idempotency key with BAD_USER_INPUT before any SQL", async () => {
    const result = await execute(`mutation { redeemReward(input: { rewardId: "${CUSTOMER}", idempotencyKey: "not a key!" }) { account { balance } } }`, {}, ["profile"]);
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
    expect([0, 499, 500, 1500, 3999, 4000].map(tierFor)).toEqual(["BRONZE", "BRONZE", "SILVER", "GOLD", "GOLD", "PLATINUM"]);
    expect([0, 499, 1500, 4000].map(pointsToNextTier)).toEqual([500, 1, 2500, null]);
  });
});

describe("order.completed payload", () => {
  const valid: OrderCompletedV1 = { version: 1, orderId: "D2000000-0000-4000-8000-000000000001", orderNumber: 7, customerId: CUSTOMER, total: { amount: 1250, currency: "EUR" }, completedAt: "2026-11-21T12:00:00.000Z" };

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
