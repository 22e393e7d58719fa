import type { Review } from "@commerce/db";
import {
  decodeCreatedAtCursor,
  parsePageArgs,
  type CreatedAtCursor,
  type Page,
  type PageArgs,
} from "@commerce/subgraph";

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

/** A page request over reviews, newest first. */
export type ReviewPageArgs = PageArgs<CreatedAtCursor>;

/** What a ReviewConnection resolves from. */
export type ReviewPage = Page<Review>;

/** Validates `first` (0..MAX_PAGE_SIZE, default 10) and decodes `after`; throws BAD_USER_INPUT naming the argument. */
export function parseReviewPageArgs(args: { first?: number | null; after?: string | null }): ReviewPageArgs {
  return parsePageArgs(args, decodeCreatedAtCursor, 10);
}
