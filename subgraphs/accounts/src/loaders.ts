import DataLoader from "dataloader";
import { cachedBatch, jsonCodec, type BatchStats, type Cache } from "@commerce/cache";
import type { Db, Favorite } from "@commerce/db";
import { batchInstrumentation, type BatchInstrumentation } from "@commerce/telemetry";
import { findFavoritesByUserIds } from "./data/favorites.js";
import { findUsersByIds, type UserRecord } from "./data/users.js";

/** Redis namespace of cached user rows; bump the version when UserRecord's shape changes. */
export const USER_CACHE_NAMESPACE = "accounts:user:v1";
export const USER_CACHE_TTL_SECONDS = 300;

export interface LoaderOptions {
  db: Db;
  cache: Cache;
  /** Called after every cached batch (hit counts for logs and tests). */
  onBatch?: (stats: BatchStats) => void;
  /** Batch spans and metrics. @default spans only, no metrics */
  batches?: BatchInstrumentation;
}

/** Fresh per request, so nothing is shared between viewers. */
export function createLoaders({ db, cache, onBatch: report, batches = batchInstrumentation() }: LoaderOptions) {
  const onBatch = (stats: BatchStats): void => {
    batches.onBatch(stats);
    report?.(stats);
  };
  return {
    /** Users by id: Redis first, then one Postgres query for the misses. Unknown ids load null. */
    userById: new DataLoader<string, UserRecord | null>(
      batches.wrap(
        "userById",
        cachedBatch<string, UserRecord>({
          name: "userById",
          cache,
          namespace: USER_CACHE_NAMESPACE,
          ttlSeconds: USER_CACHE_TTL_SECONDS,
          codec: jsonCodec<UserRecord>(["createdAt", "updatedAt"]),
          // Postgres prints UUIDs lower-case: key the cache and the result map the same way.
          keyOf: (id) => id.toLowerCase(),
          load: async (ids) => new Map((await findUsersByIds(db, ids)).map((user) => [user.id, user])),
          onBatch,
        }),
      ),
    ),
    /** Each user's favourites, newest first, for every user of the batch in one query. */
    favoritesByUserId: new DataLoader<string, Favorite[]>(
      batches.wrap("favoritesByUserId", async (userIds: readonly string[]) => {
        const byUser = new Map<string, Favorite[]>();
        for (const favorite of await findFavoritesByUserIds(db, userIds)) {
          const list = byUser.get(favorite.userId);
          if (list) list.push(favorite);
          else byUser.set(favorite.userId, [favorite]);
        }
        return userIds.map((id) => byUser.get(id.toLowerCase()) ?? []);
      }),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
