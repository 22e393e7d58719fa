import { findGrouped, findKeyed, Prisma, type Db, type Review } from "@commerce/db";
import { createdAtBefore, type CreatedAtPageArgs } from "@commerce/subgraph";
import type { Rating } from "../models.js";

/** The reviews with these ids (missing ids are absent), keyed by id. */
export function findReviewsByIds(db: Db, ids: readonly string[]): Promise<Map<string, Review>> {
  return findKeyed(
    ids,
    (batch) => db.review.findMany({ where: { id: { in: batch } } }),
    (row) => row.id,
  );
}

/** The reviews for these (product, author) pairs, keyed `productId:authorId`, in one query. */
export async function findReviewsByProductAuthor(
  db: Db,
  pairs: readonly { productId: string; authorId: string }[],
): Promise<Map<string, Review>> {
  if (pairs.length === 0) return new Map();
  const rows = await db.review.findMany({
    where: { OR: pairs.map(({ productId, authorId }) => ({ productId, authorId })) },
  });
  return new Map(rows.map((row) => [`${row.productId}:${row.authorId}`, row]));
}

/** Average rating and count per product, for the whole batch in ONE `GROUP BY`; products without reviews get null/0. */
export async function findRatingsByProductIds(db: Db, productIds: readonly string[]): Promise<Map<string, Rating>> {
  const ratings = new Map<string, Rating>(productIds.map((id) => [id, { average: null, count: 0 }]));
  if (productIds.length === 0) return ratings;
  const groups = await db.review.groupBy({
    by: ["productId"],
    where: { productId: { in: [...productIds] } },
    _avg: { rating: true },
    _count: { _all: true },
  });
  for (const group of groups) {
    const average = group._avg.rating;
    ratings.set(group.productId, {
      average: average === null ? null : Math.round(average * 100) / 100,
      count: group._count._all,
    });
  }
  return ratings;
}

/**
 * A page of reviews, newest first, for each of several products (or authors) in ONE statement:
 * a LATERAL subquery per owner walks the (owner, created_at, id) index and stops after `limit`.
 */
export async function findReviewPages(
  db: Db,
  by: "product" | "author",
  ownerIds: readonly string[],
  { after }: Pick<CreatedAtPageArgs, "after">,
  limit: number,
): Promise<Map<string, Review[]>> {
  const column = by === "product" ? Prisma.raw("product_id") : Prisma.raw("author_id");
  // The owner's id as Postgres returns a uuid (lower case), as the loaders pass them.
  const ownerOf = (review: Review): string => (by === "product" ? review.productId : review.authorId);
  return findGrouped(
    limit === 0 ? [] : ownerIds,
    (batch) => db.$queryRaw<Review[]>`
    SELECT r.id, r.product_id AS "productId", r.author_id AS "authorId", r.rating, r.body,
           r.created_at AS "createdAt", r.updated_at AS "updatedAt"
    FROM unnest(${batch}::uuid[]) AS o(id)
    CROSS JOIN LATERAL (
      SELECT * FROM reviews.reviews
      WHERE ${column} = o.id ${createdAtBefore(after)}
      ORDER BY created_at DESC, id DESC
      LIMIT ${limit}
    ) r
    ORDER BY o.id, r.created_at DESC, r.id DESC`,
    ownerOf,
  );
}

/** Inserts a review; a second review of the same product by the same author fails on the unique index (P2002). */
export function insertReview(
  db: Db,
  data: { productId: string; authorId: string; rating: number; body: string },
): Promise<Review> {
  return db.review.create({ data });
}

/** Updates the review only if `authorId` wrote it (the permission rule checked first; this makes it hold under races). */
export async function updateOwnReview(
  db: Db,
  { id, authorId, ...changes }: { id: string; authorId: string; rating?: number; body?: string },
): Promise<Review | null> {
  const { count } = await db.review.updateMany({ where: { id, authorId }, data: changes });
  return count === 0 ? null : db.review.findUnique({ where: { id } });
}

/** Deletes the review only if `authorId` wrote it; false when there was nothing to delete. */
export async function deleteOwnReview(db: Db, { id, authorId }: { id: string; authorId: string }): Promise<boolean> {
  const { count } = await db.review.deleteMany({ where: { id, authorId } });
  return count > 0;
}
