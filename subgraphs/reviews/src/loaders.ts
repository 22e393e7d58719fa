import DataLoader from "dataloader";
import type { Db, Review } from "@commerce/db";
import { batchInstrumentation, type BatchInstrumentation } from "@commerce/telemetry";
import { isUuid } from "@commerce/common";
import {
  findRatingsByProductIds,
  findReviewPages,
  findReviewsByIds,
  findReviewsByProductAuthor,
} from "./data/reviews.js";
import type { CreatedAtPageArgs } from "@commerce/subgraph";
import type { Rating } from "./models.js";

/** Per-request loaders: every batch is one SQL statement; nothing is cached across requests. */
export interface Loaders {
  reviewById: DataLoader<string, Review | null>;
  /** By the compound key, `productId:authorId`. */
  reviewByProductAuthor: DataLoader<{ productId: string; authorId: string }, Review | null, string>;
  ratingByProductId: DataLoader<string, Rating>;
  reviewsByProductId(args: CreatedAtPageArgs): DataLoader<string, Review[]>;
  reviewsByAuthorId(args: CreatedAtPageArgs): DataLoader<string, Review[]>;
}

const lower = (id: string) => id.toLowerCase();

/** Fresh per request; `batches` traces and measures each batch. @default spans only, no metrics */
export function createLoaders(db: Db, batches: BatchInstrumentation = batchInstrumentation()): Loaders {
  const reviewById = new DataLoader<string, Review | null>(
    batches.wrap("reviewById", async (keys: readonly string[]) => {
      const ids = keys.map(lower);
      const reviews = await findReviewsByIds(db, [...new Set(ids.filter(isUuid))]);
      return ids.map((id) => reviews.get(id) ?? null);
    }),
    { cacheKeyFn: lower },
  );
  const pageLoaders = new Map<string, DataLoader<string, Review[]>>();
  function pages(by: "product" | "author", args: CreatedAtPageArgs): DataLoader<string, Review[]> {
    const key = JSON.stringify([by, args.first, args.after?.createdAt.getTime() ?? null, args.after?.id ?? null]);
    let loader = pageLoaders.get(key);
    if (!loader) {
      loader = new DataLoader(
        batches.wrap(by === "product" ? "reviewsByProductId" : "reviewsByAuthorId", async (keys: readonly string[]) => {
          const ids = keys.map(lower);
          const found = await findReviewPages(db, by, [...new Set(ids.filter(isUuid))], args, args.first + 1);
          const result = ids.map((id) => found.get(id) ?? []);
          for (const review of result.flat()) reviewById.prime(review.id, review);
          return result;
        }),
      );
      pageLoaders.set(key, loader);
    }
    return loader;
  }
  return {
    reviewById,
    reviewByProductAuthor: new DataLoader(
      batches.wrap("reviewByProductAuthor", async (keys: readonly { productId: string; authorId: string }[]) => {
        const pairs = keys.map(({ productId, authorId }) => ({
          productId: lower(productId),
          authorId: lower(authorId),
        }));
        const reviews = await findReviewsByProductAuthor(
          db,
          pairs.filter((p) => isUuid(p.productId) && isUuid(p.authorId)),
        );
        return pairs.map(({ productId, authorId }) => reviews.get(`${productId}:${authorId}`) ?? null);
      }),
      { cacheKeyFn: ({ productId, authorId }) => `${lower(productId)}:${lower(authorId)}` },
    ),
    ratingByProductId: new DataLoader(
      batches.wrap("ratingByProductId", async (keys: readonly string[]) => {
        const ids = keys.map(lower);
        const ratings = await findRatingsByProductIds(db, [...new Set(ids.filter(isUuid))]);
        return ids.map((id) => ratings.get(id) ?? { average: null, count: 0 });
      }),
      { cacheKeyFn: lower },
    ),
    reviewsByProductId: (args) => pages("product", args),
    reviewsByAuthorId: (args) => pages("author", args),
  };
}
