import type { Review } from "@commerce/db";
import { parseCreatedAtPageArgs, type CreatedAtPageArgs, type Page } from "@commerce/subgraph";

/** `Product.rating`: the mean (null without reviews) and the count. */
export interface Rating {
  average: number | null;
  count: number;
}

/** What a ReviewConnection resolves from. */
export type ReviewPage = Page<Review>;

/** A reviews page request: `first` 0..MAX_PAGE_SIZE, 10 when absent; `after` a (createdAt, id) cursor. */
export function parseReviewPageArgs(args: { first?: number | null; after?: string | null }): CreatedAtPageArgs {
  return parseCreatedAtPageArgs(args, 10);
}
