import { badUserInput, isUuid, notFound } from "@commerce/common";
import type { Db } from "@commerce/db";
import type { MutationResolvers } from "../__generated__/resolvers.js";
import { categoryExists } from "../data/categories.js";
import { createProduct, updateProduct } from "../data/products.js";
import { productCacheKeys } from "../loaders.js";
import { parseCreateProductInput, parseUpdateProductInput } from "../productInput.js";

async function requireCategory(db: Db, categoryId: string): Promise<void> {
  if (!(await categoryExists(db, categoryId)))
    throw badUserInput("categoryId is not a known category.", "input.categoryId");
}

// Staff-only: src/permissions.ts guards every field of this type.
export const Mutation: MutationResolvers = {
  async createProduct(_parent, { input }, { db, cache, loaders }) {
    const data = parseCreateProductInput(input);
    await requireCategory(db, data.categoryId);
    const product = await createProduct(db, data);
    // Nothing positive is cached for a new product, but clear its keys so no other writer's stale entry survives.
    await cache.del(productCacheKeys(product));
    loaders.primeProducts([product]);
    return { product };
  },
  async updateProduct(_parent, { input: { id, ...changes } }, { db, cache, loaders }) {
    if (!isUuid(id)) throw notFound("Product", id);
    const data = parseUpdateProductInput(changes);
    if (data.categoryId !== undefined) await requireCategory(db, data.categoryId);
    const product = await updateProduct(db, id, data);
    if (!product) throw notFound("Product", id);
    // After the commit: the next reader misses and loads the new row (the SKU never changes, so both keys are known).
    await cache.del(productCacheKeys(product));
    loaders.productById.clear(product.id);
    loaders.productBySku.clear(product.sku);
    loaders.primeProducts([product]);
    return { product };
  },
};
