import type { ProductConnectionResolvers } from "../__generated__/resolvers.js";
import { encodeCursor, pageRows } from "../pagination.js";

export const ProductConnection: ProductConnectionResolvers = {
  edges: (page) => pageRows(page).map((node) => ({ cursor: encodeCursor(node), node })),
  pageInfo(page) {
    const rows = pageRows(page);
    const first = rows[0];
    const last = rows.at(-1);
    return {
      hasNextPage: page.rows.length > page.first,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: first ? encodeCursor(first) : null,
      endCursor: last ? encodeCursor(last) : null,
    };
  },
  totalCount: (page) => page.totalCount(),
};
