import type { ReviewConnectionResolvers } from "../__generated__/resolvers.js";
import { encodeCursor, pageRows } from "../models.js";

export const ReviewConnection: ReviewConnectionResolvers = {
  edges: (page) => pageRows(page).map((node) => ({ cursor: encodeCursor(node), node })),
  pageInfo(page) {
    const last = pageRows(page).at(-1);
    return { hasNextPage: page.rows.length > page.first, endCursor: last ? encodeCursor(last) : null };
  },
};
