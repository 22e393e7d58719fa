import { badUserInput } from "@commerce/common";
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

/** Largest `first` of a reviews page. */
export const MAX_PAGE_SIZE = 100;

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our ids are Postgres UUIDs; anything else can match no row (and must not reach a uuid column). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function encodeCursor(review: Pick<Review, "createdAt" | "id">): string {
  return Buffer.from(JSON.stringify({ v: 1, c: review.createdAt.getTime(), i: review.id }), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): ReviewCursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const { v, c, i } = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>;
    if (v !== 1 || typeof c !== "number" || !Number.isFinite(c) || typeof i !== "string" || !isUuid(i)) return null;
    return { createdAt: new Date(c), id: i.toLowerCase() };
  } catch {
    return null;
  }
}

/** Validates `first` (0..MAX_PAGE_SIZE) and decodes `after`; throws BAD_USER_INPUT naming the argument. */
export function parseReviewPageArgs(args: { first?: number | null; after?: string | null }): ReviewPageArgs {
  const first = args.first ?? 10;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}.`, "first", { max: MAX_PAGE_SIZE });
  }
  if (args.after === undefined || args.after === null) return { first, after: null };
  const after = decodeCursor(args.after);
  if (!after) throw badUserInput("after is not a cursor returned by this API.", "after");
  return { first, after };
}

export function pageRows(page: ReviewPage): readonly Review[] {
  return page.rows.length > page.first ? page.rows.slice(0, page.first) : page.rows;
}
