import type { Product } from "@commerce/db";
import { connectionResolvers, pageRows } from "@commerce/subgraph";
import type { ProductConnectionResolvers } from "../__generated__/resolvers.js";
import { encodeCursor } from "../pagination.js";

const connection = connectionResolvers<Product>(encodeCursor);

export const ProductConnection: ProductConnectionResolvers = {
  edges: connection.edges,
  pageInfo(page) {
    const first = pageRows(page)[0];
    return {
      ...connection.pageInfo(page),
      hasPreviousPage: page.hasPreviousPage,
      startCursor: first ? encodeCursor(first) : null,
    };
  },
  totalCount: (page) => page.totalCount(),
};
