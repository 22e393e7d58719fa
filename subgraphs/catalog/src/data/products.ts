import { badUserInput, conflict } from "@commerce/common";
import { findKeyed, Prisma, type Db, type Product } from "@commerce/db";
import { escapeLike, likePattern, type PageArgs, type ProductConditions } from "../pagination.js";

/** The products with these ids (missing ids are absent), keyed by id. */
export function findProductsByIds(db: Db, ids: readonly string[]): Promise<Map<string, Product>> {
  return findKeyed(
    ids,
    (batch) => db.product.findMany({ where: { id: { in: batch } } }),
    (row) => row.id,
  );
}

/** The products with these SKUs (missing SKUs are absent), keyed by SKU. */
export function findProductsBySkus(db: Db, skus: readonly string[]): Promise<Map<string, Product>> {
  return findKeyed(
    skus,
    (batch) => db.product.findMany({ where: { sku: { in: batch } } }),
    (row) => row.sku,
  );
}

function conditionsWhere({ categoryId, search, available }: ProductConditions): Prisma.ProductWhereInput {
  const where: Prisma.ProductWhereInput = {};
  if (categoryId !== undefined) where.categoryId = categoryId;
  if (available !== undefined) where.available = available;
  if (search !== undefined) {
    // Prisma puts `contains` into `ILIKE '%' || $1 || '%'` without escaping LIKE wildcards, so escape them here.
    const text = escapeLike(search);
    where.OR = [
      { name: { contains: text, mode: "insensitive" } },
      { description: { contains: text, mode: "insensitive" } },
    ];
  }
  return where;
}

/**
 * One page in (name, id) order: rows strictly after `after`, at most `limit` of them
 * (callers ask for first + 1 to learn whether a next page exists).
 */
export async function findProductPage(
  db: Db,
  conditions: ProductConditions,
  { after, limit }: { after: PageArgs["after"]; limit: number },
): Promise<Product[]> {
  const where = conditionsWhere(conditions);
  const keyset: Prisma.ProductWhereInput | undefined = after
    ? { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] }
    : undefined;
  return db.product.findMany({
    where: keyset ? { AND: [where, keyset] } : where,
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: limit,
  });
}

/** How many products match, across all pages. */
export async function countProducts(db: Db, conditions: ProductConditions): Promise<number> {
  return db.product.count({ where: conditionsWhere(conditions) });
}

/**
 * A page of products for each of several categories in ONE statement: a LATERAL
 * subquery per category id walks the (category_id, name, id) index and stops
 * after `limit` rows, so the cost is bounded by the page size, not the category size.
 */
export async function findProductPagesByCategories(
  db: Db,
  categoryIds: readonly string[],
  conditions: Omit<ProductConditions, "categoryId">,
  { after, limit }: { after: PageArgs["after"]; limit: number },
): Promise<Map<string, Product[]>> {
  const pages = new Map<string, Product[]>(categoryIds.map((id) => [id, []]));
  if (categoryIds.length === 0 || limit === 0) return pages;
  const pattern = conditions.search !== undefined ? likePattern(conditions.search) : undefined;
  const rows = await db.$queryRaw<Product[]>`
    SELECT p.id, p.sku, p.name, p.description, p.price_amount AS "priceAmount", p.currency, p.available,
           p.category_id AS "categoryId", p.created_at AS "createdAt", p.updated_at AS "updatedAt"
    FROM unnest(${[...categoryIds]}::uuid[]) AS c(id)
    CROSS JOIN LATERAL (
      SELECT * FROM catalog.products
      WHERE category_id = c.id
        ${after ? Prisma.sql`AND (name, id) > (${after.name}, ${after.id}::uuid)` : Prisma.empty}
        ${conditions.available !== undefined ? Prisma.sql`AND available = ${conditions.available}` : Prisma.empty}
        ${pattern !== undefined ? Prisma.sql`AND (name ILIKE ${pattern} OR description ILIKE ${pattern})` : Prisma.empty}
      ORDER BY name, id
      LIMIT ${limit}
    ) p
    ORDER BY p.category_id, p.name, p.id`;
  for (const row of rows) pages.get(row.categoryId)?.push(row);
  return pages;
}

/** How many products match in each category, in one GROUP BY; categories without matches count 0. */
export async function countProductsByCategories(
  db: Db,
  categoryIds: readonly string[],
  conditions: Omit<ProductConditions, "categoryId">,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>(categoryIds.map((id) => [id, 0]));
  if (categoryIds.length === 0) return counts;
  const groups = await db.product.groupBy({
    by: ["categoryId"],
    where: { ...conditionsWhere(conditions), categoryId: { in: [...categoryIds] } },
    _count: { _all: true },
  });
  for (const group of groups) counts.set(group.categoryId, group._count._all);
  return counts;
}

function translateWriteError(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code === "P2002") throw conflict("A product with this sku already exists.", "input.sku");
    if (error.code === "P2003") throw badUserInput("categoryId is not a known category.", "input.categoryId");
  }
  throw error;
}

/** Inserts a product; a taken SKU is CONFLICT, an unknown category BAD_USER_INPUT. */
export async function createProduct(db: Db, data: Prisma.ProductUncheckedCreateInput): Promise<Product> {
  try {
    return await db.product.create({ data });
  } catch (error) {
    translateWriteError(error);
  }
}

/** Updates a product; null when it does not exist. */
export async function updateProduct(
  db: Db,
  id: string,
  data: Prisma.ProductUncheckedUpdateInput,
): Promise<Product | null> {
  try {
    return await db.product.update({ where: { id }, data });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") return null;
    translateWriteError(error);
  }
}
