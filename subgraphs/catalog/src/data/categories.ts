import { findKeyed, type Category, type Db } from "@commerce/db";

/** The categories with these ids (missing ids are absent), keyed by id. */
export function findCategoriesByIds(db: Db, ids: readonly string[]): Promise<Map<string, Category>> {
  return findKeyed(
    ids,
    (batch) => db.category.findMany({ where: { id: { in: batch } } }),
    (row) => row.id,
  );
}

/** Every category in menu order (position, then name). */
export async function listCategories(db: Db): Promise<Category[]> {
  return db.category.findMany({ orderBy: [{ position: "asc" }, { name: "asc" }, { id: "asc" }] });
}

/** True when the category exists, read from Postgres (not the cache) because writes depend on it. */
export async function categoryExists(db: Db, id: string): Promise<boolean> {
  return (await db.category.count({ where: { id } })) > 0;
}
