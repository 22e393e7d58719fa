import { isUuid } from "@commerce/common";
import { decodeCursorPayload, encodeCursor as encodeKeyset, parsePageArgs } from "@commerce/subgraph";
import type { Review } from "@commerce/db";

/** A reference to an accounts user. */
export interface UserRef {
  id: string;
}

/** A reference to a catalog product. */
export interface ProductRef {
  id: string;
}

/** `Product.rating`: the mean (null without reviews) and the count. */
export interface Rating {
  average: number | null;
  count: number;
}

export { MAX_PAGE_SIZE, pageRows } from "@commerce/subgraph";

/** Keyset position in the newest-first order. */
export interface ReviewCursor {
  createdAt: Date;
  id: string;
}

export interface ReviewPageArgs {
  first: number;
  after: ReviewCursor | null;
}

/** Up to `first + 1` reviews (the extra one only tells that a next page exists). */
export interface ReviewPage {
  rows: readonly Review[];
  first: number;
}

export function encodeCursor(entry: Pick<Review, "createdAt" | "id">): string {
  return encodeKeyset({ c: entry.createdAt.getTime(), i: entry.id });
}

function decodeCursor(cursor: string): ReviewCursor | null {
  const payload = decodeCursorPayload(cursor);
  if (!payload) return null;
  const { c, i } = payload;
  if (typeof c !== "number" || !Number.isFinite(c) || typeof i !== "string" || !isUuid(i)) return null;
  return { createdAt: new Date(c), id: i.toLowerCase() };
}

/** Validates `first` (0..MAX_PAGE_SIZE) and decodes `after`; throws BAD_USER_INPUT naming the argument. */
export function parseReviewPageArgs(args: { first?: number | null; after?: string | null }): ReviewPageArgs {
  return parsePageArgs(args, decodeCursor, 10);
}
