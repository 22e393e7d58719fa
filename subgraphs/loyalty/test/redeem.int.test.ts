import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from "vitest";
import { errorCodes } from "@commerce/testing";
import { MEMBER_ID, REWARD_ID, seedMember, startHarness, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ databaseUrl: inject("databaseUrl") });
});
afterAll(async () => h?.stop());
afterEach(async () => h.reset());

const REDEEM = `mutation($id: ID!) { redeemReward(input: { rewardId: $id }) { transaction { kind points balanceAfter reward { name } } account { balance lifetimePoints tier } } }`;
const member = { userId: MEMBER_ID };

describe("redeemReward", () => {
  it("spends points and records a REDEEM entry with the balance after it", async () => {
    await seedMember(h.db, { balance: 600, cost: 250 });
    const result = await h.execute(REDEEM, { id: REWARD_ID }, member);
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
    const poor = await h.execute(REDEEM, { id: REWARD_ID }, member);
    expect(poor.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.rewardId", reason: "INSUFFICIENT_POINTS", cost: 250, balance: 100 });
    expect(errorCodes((await h.execute(REDEEM, { id: "f1000000-0000-4000-8000-0000000000ff" }, member)).errors)).toEqual(["NOT_FOUND"]);
    expect(errorCodes((await h.execute(REDEEM, { id: "nope" }, member)).errors)).toEqual(["NOT_FOUND"]);
    expect(errorCodes((await h.execute(REDEEM, { id: REWARD_ID })).errors)).toEqual(["UNAUTHENTICATED"]);
    // Someone who never earned anything has a zero account (no row), so the same error.
    expect(errorCodes((await h.execute(REDEEM, { id: REWARD_ID }, { userId: "e1000000-0000-4000-8000-0000000000aa" })).errors)).toEqual(["BAD_USER_INPUT"]);
  });

  it("lets 100 concurrent redemptions spend exactly what the balance allows, never below zero", async () => {
    await seedMember(h.db, { balance: 1050, cost: 100 });
    const results = await Promise.all(Array.from({ length: 100 }, () => h.execute(REDEEM, { id: REWARD_ID }, member)));
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

  it("is backed by the database: a balance can never be written below zero", async () => {
    await seedMember(h.db, { balance: 10, cost: 100 });
    await expect(h.db.$executeRaw`UPDATE loyalty.balances SET balance = -1 WHERE user_id = ${MEMBER_ID}::uuid`).rejects.toThrow(/balances_balance_check/);
  });
});
