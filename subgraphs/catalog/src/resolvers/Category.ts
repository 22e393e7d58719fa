import type { CategoryResolvers } from "../__generated__/resolvers.js";
import { parsePageArgs, parseProductFilter } from "../pagination.js";

export const Category: CategoryResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.categoryById.load(reference.id),
  async products(category, args, { loaders }) {
    const page = parsePageArgs(args);
    const conditions = parseProductFilter(args.filter);
    // Batched: every category of this request asking with the same arguments shares one SQL statement.
    const rows = await loaders.productsByCategoryId(page, conditions).load(category.id);
    return {
      rows,
      first: page.first,
      hasPreviousPage: page.after !== null,
      totalCount: () => loaders.productCountByCategoryId(conditions).load(category.id),
    };
  },
};
