import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from "vitest";
import { errorCodes } from "@commerce/testing";
import { MEMBER_ID, REWARD_ID, seedMember, startHarness, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ databaseUrl: inject("databaseUrl") });
});
afterAll(async () => h?.stop());
afterEach(async () => h.reset());

const REDEEM = `mutation($id: ID!, $key: String!) { redeemReward(input: { rewardId: $id, idempotencyKey: $key }) { transaction { kind points balanceAfter reward { name } } account { balance lifetimePoints tier } } }`;
let keys = 0;
/** A redemption's variables with a new idempotency key (a new redemption), unless one is given (a retry). */
const redeem = (id: string, key = `redeem-${(keys += 1)}`) => ({ id, key });
const member = { userId: MEMBER_ID };
const OTHER_REWARD_ID = "f1000000-0000-4000-8000-000000000002";
const REDEEM_ID = `mutation($id: ID!, $key: String!) { redeemReward(input: { rewardId: $id, idempotencyKey: $key }) { transaction { id } account { balance } } }`;
type Redeemed = { redeemReward: { transaction: { id: string }; account: { balance: number } } };

describe("redeemReward", () => {
  it("spends points and records a REDEEM entry with the balance after it", async () => {
    await seedMember(h.db, { balance: 600, cost: 250 });
    const result = await h.execute(REDEEM, redeem(REWARD_ID), member);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      redeemReward: {
        transaction: { kind: "REDEEM", points: -250, balanceAfter: 350, reward: { name: "Free fries" } },
        account: { balance: 350, lifetimePoints: 600, tier: "SILVER" },
      },
    });
  });

  it("answers INSUFFICIENT_POINTS, NOT_FOUND for unknown rewards and UNAUTHENTICATED when anonymous", async () => {
    await seedMember(h.db, { balance: 100, cost: 250 });
    const poor = await h.execute(REDEEM, redeem(REWARD_ID), member);
    expect(poor.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.rewardId",
      reason: "INSUFFICIENT_POINTS",
      cost: 250,
      balance: 100,
    });
    expect(
      errorCodes((await h.execute(REDEEM, redeem("f1000000-0000-4000-8000-0000000000ff"), member)).errors),
    ).toEqual(["NOT_FOUND"]);
    expect(errorCodes((await h.execute(REDEEM, redeem("nope"), member)).errors)).toEqual(["NOT_FOUND"]);
    expect(errorCodes((await h.execute(REDEEM, redeem(REWARD_ID))).errors)).toEqual(["UNAUTHENTICATED"]);
    // Someone who never earned anything has a zero account (no row), so the same error.
    expect(
      errorCodes(
        (await h.execute(REDEEM, redeem(REWARD_ID), { userId: "e1000000-0000-4000-8000-0000000000aa" })).errors,
      ),
    ).toEqual(["BAD_USER_INPUT"]);
  });

  it("lets 100 concurrent redemptions spend exactly what the balance allows, never below zero", async () => {
    await seedMember(h.db, { balance: 1050, cost: 100 });
    const results = await Promise.all(Array.from({ length: 100 }, () => h.execute(REDEEM, redeem(REWARD_ID), member)));
    const succeeded = results.filter((r) => r.errors === undefined);
    expect(succeeded).toHaveLength(10);
    expect(results.flatMap((r) => errorCodes(r.errors))).toEqual(Array.from({ length: 90 }, () => "BAD_USER_INPUT"));

    const account = await h.db.loyaltyAccount.findUniqueOrThrow({ where: { userId: MEMBER_ID } });
    expect(account.balance).toBe(50);
    const ledger = await h.db.ledgerEntry.findMany({ where: { userId: MEMBER_ID }, orderBy: { balanceAfter: "desc" } });
    // The ledger is the truth: its sum is the balance, and each debit left a distinct, non-negative balance.
    expect(ledger.reduce((sum, e) => sum + e.points, 0)).toBe(account.balance);
    const debits = ledger.filter((e) => e.kind === "REDEEM");
    expect(debits).toHaveLength(10);
    expect(debits.map((e) => e.balanceAfter)).toEqual([950, 850, 750, 650, 550, 450, 350, 250, 150, 50]);
  });

  it("redeems once per idempotency key: a retry answers with the first redemption and spends nothing more", async () => {
    await seedMember(h.db, { balance: 600, cost: 250 });
    const first = await h.execute<Redeemed>(REDEEM_ID, redeem(REWARD_ID, "checkout-1"), member);
    const retry = await h.execute<Redeemed>(REDEEM_ID, redeem(REWARD_ID.toUpperCase(), "checkout-1"), member);
    expect(retry.errors).toBeUndefined();
    expect(retry.data?.redeemReward.transaction.id).toBe(first.data?.redeemReward.transaction.id);
    expect(retry.data?.redeemReward.account.balance).toBe(350);
    // Even once the reward is retired, the retry is answered (it already happened).
    await h.db.reward.update({ where: { id: REWARD_ID }, data: { active: false } });
    expect(
      (await h.execute<Redeemed>(REDEEM_ID, redeem(REWARD_ID, "checkout-1"), member)).data?.redeemReward.transaction.id,
    ).toBe(first.data?.redeemReward.transaction.id);
    expect(await h.db.ledgerEntry.count({ where: { userId: MEMBER_ID, kind: "REDEEM" } })).toBe(1);
    expect((await h.db.loyaltyAccount.findUniqueOrThrow({ where: { userId: MEMBER_ID } })).balance).toBe(350);
  });

  it("answers CONFLICT when a key is reused for another reward, spending nothing", async () => {
    await seedMember(h.db, { balance: 600, cost: 250 });
    await h.db.reward.create({ data: { id: OTHER_REWARD_ID, slug: "free-drink", name: "Free drink", cost: 100 } });
    expect((await h.execute(REDEEM, redeem(REWARD_ID, "checkout-2"), member)).errors).toBeUndefined();
    const reused = await h.execute(REDEEM, redeem(OTHER_REWARD_ID, "checkout-2"), member);
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "input.idempotencyKey" });
    expect((await h.db.loyaltyAccount.findUniqueOrThrow({ where: { userId: MEMBER_ID } })).balance).toBe(350);
  });

  it("makes one redemption of 20 racing requests with the same key, and answers each with it", async () => {
    await seedMember(h.db, { balance: 10_000, cost: 100 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h.execute<Redeemed>(REDEEM_ID, redeem(REWARD_ID, "double-click"), member)),
    );
    expect(results.flatMap((r) => errorCodes(r.errors))).toEqual([]);
    expect(new Set(results.map((r) => r.data?.redeemReward.transaction.id)).size).toBe(1);
    expect(await h.db.ledgerEntry.count({ where: { userId: MEMBER_ID, kind: "REDEEM" } })).toBe(1);
    expect((await h.db.loyaltyAccount.findUniqueOrThrow({ where: { userId: MEMBER_ID } })).balance).toBe(9_900);
  });

  it("is backed by the database: a balance can never be written below zero", async () => {
    await seedMember(h.db, { balance: 10, cost: 100 });
    await expect(
      h.db.$executeRaw`UPDATE loyalty.balances SET balance = -1 WHERE user_id = ${MEMBER_ID}::uuid`,
    ).rejects.toThrow(/balances_balance_check/);
  });
});
