import DataLoader from "dataloader";
import { cacheKeys, cachedBatch, jsonCodec, type BatchStats, type Cache, type Codec } from "@commerce/cache";
import type { Category, Db, Product } from "@commerce/db";
import { batchInstrumentation, type BatchInstrumentation } from "@commerce/telemetry";
import { isUuid } from "@commerce/common";
import { findCategoriesByIds } from "./data/categories.js";
import {
  countProductsByCategories,
  findProductPagesByCategories,
  findProductsByIds,
  findProductsBySkus,
} from "./data/products.js";
import type { PageArgs, ProductConditions } from "./pagination.js";

/** Redis namespaces (`<package>:<purpose>:v<format>`); bump the version when the cached shape changes. */
export const PRODUCT_NAMESPACE = "catalog:product:v1";
export const PRODUCT_BY_SKU_NAMESPACE = "catalog:product-by-sku:v1";
export const CATEGORY_NAMESPACE = "catalog:category:v1";

export type CategoryConditions = Omit<ProductConditions, "categoryId">;

export interface Loaders {
  productById: DataLoader<string, Product | null>;
  productBySku: DataLoader<string, Product | null>;
  categoryById: DataLoader<string, Category | null>;
  /** Pages of `Category.products`, one loader (so one SQL statement per batch) per distinct argument set. */
  productsByCategoryId(page: PageArgs, conditions: CategoryConditions): DataLoader<string, Product[]>;
  /** `Category.products.totalCount`, one loader per distinct filter. */
  productCountByCategoryId(conditions: CategoryConditions): DataLoader<string, number>;
  /** Puts rows read by a list query into this request's entity loaders (not into Redis). */
  primeProducts(rows: readonly Product[]): void;
}

export interface LoaderOptions {
  db: Db;
  cache: Cache;
  ttlSeconds: number;
  onBatch?: (stats: BatchStats) => void;
  /** Batch spans and metrics. @default spans only, no metrics */
  batches?: BatchInstrumentation;
}

const productCodec = jsonCodec<Product>(["createdAt", "updatedAt"]);
const categoryCodec = jsonCodec<Category>(["createdAt", "updatedAt"]);

/** Fresh loaders for one request: entity loaders read Redis first, then Postgres for the misses in one query. */
export function createLoaders({
  db,
  cache,
  ttlSeconds,
  onBatch: report,
  batches = batchInstrumentation(),
}: LoaderOptions): Loaders {
  const onBatch = (stats: BatchStats): void => {
    batches.onBatch(stats);
    report?.(stats);
  };
  /** An entity loader: Redis first, then Postgres for the misses (`load`, one query per batch). */
  function cachedLoader<T>(
    name: string,
    namespace: string,
    codec: Codec<T>,
    load: (keys: readonly string[]) => Promise<Map<string, T>>,
    keyOf?: (key: string) => string,
  ): DataLoader<string, T | null> {
    const batch = cachedBatch({ name, cache, namespace, ttlSeconds, codec, keyOf, load, onBatch });
    return new DataLoader(batches.wrap(name, batch), keyOf && { cacheKeyFn: keyOf });
  }
  /**
   * An entity loader by UUID: ids match case-insensitively, and a non-UUID id matches no row (kept out of SQL, where
   * it would be a cast error).
   */
  function idLoader<T>(
    name: string,
    namespace: string,
    codec: Codec<T>,
    find: (db: Db, ids: readonly string[]) => Promise<Map<string, T>>,
  ): DataLoader<string, T | null> {
    return cachedLoader(
      name,
      namespace,
      codec,
      (ids) => find(db, ids.filter(isUuid)),
      (id) => id.toLowerCase(),
    );
  }
  const productById = idLoader("productById", PRODUCT_NAMESPACE, productCodec, findProductsByIds);
  const productBySku = cachedLoader("productBySku", PRODUCT_BY_SKU_NAMESPACE, productCodec, (skus) =>
    findProductsBySkus(db, skus),
  );
  const categoryById = idLoader("categoryById", CATEGORY_NAMESPACE, categoryCodec, findCategoriesByIds);

  function primeProducts(rows: readonly Product[]): void {
    for (const row of rows) {
      productById.prime(row.id, row);
      productBySku.prime(row.sku, row);
    }
  }

  const pageLoaders = new Map<string, DataLoader<string, Product[]>>();
  const countLoaders = new Map<string, DataLoader<string, number>>();
  return {
    productById,
    productBySku,
    categoryById,
    primeProducts,
    productsByCategoryId(page, conditions) {
      const key = JSON.stringify([page.first, page.after, conditions.search ?? null, conditions.available ?? null]);
      let loader = pageLoaders.get(key);
      if (!loader) {
        loader = new DataLoader(
          batches.wrap("productsByCategoryId", async (categoryIds: readonly string[]) => {
            const pages = await findProductPagesByCategories(db, categoryIds, conditions, {
              after: page.after,
              limit: page.first + 1,
            });
            const result = categoryIds.map((id) => pages.get(id) ?? []);
            primeProducts(result.flat());
            return result;
          }),
        );
        pageLoaders.set(key, loader);
      }
      return loader;
    },
    productCountByCategoryId(conditions) {
      const key = JSON.stringify([conditions.search ?? null, conditions.available ?? null]);
      let loader = countLoaders.get(key);
      if (!loader) {
        loader = new DataLoader(
          batches.wrap("productCountByCategoryId", async (categoryIds: readonly string[]) => {
            const counts = await countProductsByCategories(db, categoryIds, conditions);
            return categoryIds.map((id) => counts.get(id) ?? 0);
          }),
        );
        countLoaders.set(key, loader);
      }
      return loader;
    },
  };
}

/** Every cache key holding this product (by id and by SKU), for invalidation after a write. */
export function productCacheKeys(product: Pick<Product, "id" | "sku">): string[] {
  return [...cacheKeys(PRODUCT_NAMESPACE, [product.id]), ...cacheKeys(PRODUCT_BY_SKU_NAMESPACE, [product.sku])];
}
