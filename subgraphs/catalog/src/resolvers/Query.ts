import type { QueryResolvers } from "../__generated__/resolvers.js";
import { listCategories } from "../data/categories.js";
import { countProducts, findProductPage } from "../data/products.js";
import { parsePageArgs, parseProductFilter } from "../pagination.js";

export const Query: QueryResolvers = {
  async products(_parent, args, { db, loaders }) {
    const page = parsePageArgs(args);
    const conditions = parseProductFilter(args.filter);
    // One row more than asked tells whether a next page exists.
    const rows = await findProductPage(db, conditions, { after: page.after, limit: page.first + 1 });
    loaders.primeProducts(rows);
    return {
      rows,
      first: page.first,
      hasPreviousPage: page.after !== null,
      totalCount: () => countProducts(db, conditions),
    };
  },
  product: (_parent, { id }, { loaders }) => loaders.productById.load(id),
  category: (_parent, { id }, { loaders }) => loaders.categoryById.load(id),
  async categories(_parent, _args, { db, loaders }) {
    const categories = await listCategories(db);
    for (const category of categories) loaders.categoryById.prime(category.id, category);
    return categories;
  },
};
