import DataLoader from "dataloader";
import type { Db, LedgerEntry, LoyaltyAccount, Reward } from "@commerce/db";
import { batchInstrumentation, type BatchInstrumentation } from "@commerce/telemetry";
import { isUuid } from "@commerce/common";
import { findAccountsByUserIds, findLedgerPagesByUsers, findPointsByOrderIds } from "./data/ledger.js";
import { findRewardsByIds } from "./data/rewards.js";
import type { CreatedAtPageArgs } from "@commerce/subgraph";

/** Per-request loaders; balances change with every order, so nothing is cached across requests. */
export interface Loaders {
  /** Every user has an account: users who never earned anything get a zero one. */
  accountByUserId: DataLoader<string, LoyaltyAccount>;
  pointsEarnedByOrderId: DataLoader<string, number>;
  rewardById: DataLoader<string, Reward | null>;
  /** History pages, one loader (one SQL statement per batch of users) per distinct argument set. */
  historyByUserId(args: CreatedAtPageArgs): DataLoader<string, LedgerEntry[]>;
}

const lower = (id: string) => id.toLowerCase();

/** Fresh per request; `batches` traces and measures each batch. @default spans only, no metrics */
export function createLoaders(db: Db, batches: BatchInstrumentation = batchInstrumentation()): Loaders {
  const pageLoaders = new Map<string, DataLoader<string, LedgerEntry[]>>();
  return {
    accountByUserId: new DataLoader(
      batches.wrap("accountByUserId", async (userIds: readonly string[]) => {
        const ids = userIds.map(lower);
        const accounts = await findAccountsByUserIds(db, ids.filter(isUuid));
        return ids.map(
          (userId) => accounts.get(userId) ?? { userId, balance: 0, lifetimePoints: 0, updatedAt: new Date(0) },
        );
      }),
      { cacheKeyFn: lower },
    ),
    pointsEarnedByOrderId: new DataLoader(
      batches.wrap("pointsEarnedByOrderId", async (orderIds: readonly string[]) => {
        const ids = orderIds.map(lower);
        const points = await findPointsByOrderIds(db, ids.filter(isUuid));
        return ids.map((id) => points.get(id) ?? 0);
      }),
      { cacheKeyFn: lower },
    ),
    rewardById: new DataLoader(
      batches.wrap("rewardById", async (rewardIds: readonly string[]) => {
        const ids = rewardIds.map(lower);
        const rewards = await findRewardsByIds(db, ids.filter(isUuid));
        return ids.map((id) => rewards.get(id) ?? null);
      }),
      { cacheKeyFn: lower },
    ),
    historyByUserId(args) {
      const key = JSON.stringify([args.first, args.after?.createdAt.getTime() ?? null, args.after?.id ?? null]);
      let loader = pageLoaders.get(key);
      if (!loader) {
        loader = new DataLoader(
          batches.wrap("historyByUserId", async (userIds: readonly string[]) => {
            const ids = userIds.map(lower);
            const pages = await findLedgerPagesByUsers(db, [...new Set(ids.filter(isUuid))], args, args.first + 1);
            return ids.map((id) => pages.get(id) ?? []);
          }),
        );
        pageLoaders.set(key, loader);
      }
      return loader;
    },
  };
}
