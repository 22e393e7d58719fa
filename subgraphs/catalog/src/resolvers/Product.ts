import type { ProductResolvers } from "../__generated__/resolvers.js";

export const Product: ProductResolvers = {
  __resolveReference: (reference, { loaders }) =>
    "id" in reference ? loaders.productById.load(reference.id) : loaders.productBySku.load(reference.sku),
  price: (product) => ({ amount: product.priceAmount, currency: product.currency }),
  async category(product, _args, { loaders }) {
    const category = await loaders.categoryById.load(product.categoryId);
    // The foreign key makes this impossible short of a bug; fail loudly (masked for clients, logged) rather than return null.
    if (!category) throw new Error(`Category ${product.categoryId} of product ${product.id} is missing`);
    return category;
  },
};
