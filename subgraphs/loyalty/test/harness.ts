import { createLogger } from "@commerce/common";
import { createDb, type Db } from "@commerce/db";
import { createQueryCounter, truncateAll } from "@commerce/testing";
import { startInProcess, type InProcessSubgraph, type OperationResult } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";
import type { Context } from "../src/context.js";
import { subgraph, type LoyaltyDeps } from "../src/server.js";

export type Result<T> = OperationResult<T>;

export interface Harness {
  deps: LoyaltyDeps;
  queries: ReturnType<typeof createQueryCounter>;
  /** A separate client for fixtures and checks. */
  db: Db;
  execute: InProcessSubgraph<Context>["executeAs"];
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A loyalty server (in process) over the real test Postgres, with its SQL statements counted. */
export async function startHarness({ databaseUrl }: { databaseUrl: string }): Promise<Harness> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, NODE_ENV: "test", LOG_LEVEL: "silent" });
  const queries = createQueryCounter();
  const deps: LoyaltyDeps = {
    db: createDb(databaseUrl, { onQuery: queries.record, poolSize: 20 }),
    logger: createLogger("loyalty-test", "silent"),
    config,
  };
  const served = await startInProcess(subgraph, deps);
  const db = createDb(databaseUrl, { poolSize: 4 });
  return {
    deps,
    queries,
    db,
    execute: served.executeAs,
    async reset() {
      await truncateAll(databaseUrl, ["loyalty"]);
      queries.reset();
    },
    async stop() {
      await served.stop();
      await Promise.allSettled([deps.db.$disconnect(), db.$disconnect()]);
    },
  };
}

export const MEMBER_ID = "e1000000-0000-4000-8000-000000000001";
export const OTHER_MEMBER_ID = "e1000000-0000-4000-8000-000000000002";
export const REWARD_ID = "f1000000-0000-4000-8000-000000000001";
export const orderId = (n: number) => `d2000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

/** A member with `balance` points from one seeded EARN entry, and a reward costing `cost`. */
export async function seedMember(db: Db, { balance, cost }: { balance: number; cost: number }): Promise<void> {
  await db.reward.create({ data: { id: REWARD_ID, slug: "free-fries", name: "Free fries", cost } });
  await db.ledgerEntry.create({
    data: {
      userId: MEMBER_ID,
      kind: "EARN",
      points: balance,
      balanceAfter: balance,
      sourceOrderId: orderId(1),
      orderNumber: 1,
    },
  });
  await db.loyaltyAccount.create({ data: { userId: MEMBER_ID, balance, lifetimePoints: balance } });
}
