import { startTestInfra } from "@commerce/testing";
import { createDb, Prisma } from "@commerce/db";
const infra = await startTestInfra();
try {
  const db = createDb(infra.databaseUrl, { onQuery: (e) => console.log("SQL:", e.query) });
  const c = await db.category.create({ data: { slug: "a", name: "A" } });
  await db.product.createMany({ data: [
    { sku: "1", name: "100% juice", priceAmount: 1, currency: "EUR", categoryId: c.id },
    { sku: "2", name: "1000 juice", priceAmount: 1, currency: "EUR", categoryId: c.id },
    { sku: "3", name: "a_b", priceAmount: 1, currency: "EUR", categoryId: c.id },
    { sku: "4", name: "axb", priceAmount: 1, currency: "EUR", categoryId: c.id },
  ] });
  console.log((await db.product.findMany({ where: { name: { contains: "0%", mode: "insensitive" } } })).map(p => p.name));
  console.log((await db.product.findMany({ where: { name: { contains: "a_", mode: "insensitive" } } })).map(p => p.name));
  const rows = await db.$queryRaw<unknown[]>`SELECT id, price_amount AS "priceAmount", currency, created_at AS "createdAt", ROW_NUMBER() OVER (ORDER BY name) AS rn, COUNT(*) OVER () AS total FROM catalog.products WHERE category_id = ANY(${[c.id]}::uuid[]) ${Prisma.empty}`;
  console.log(rows);
  const p = await db.product.findMany({ where: { OR: [{ name: { gt: "a" } }, { name: "a_b", id: { gt: c.id } }] }, orderBy: [{ name: "asc" }, { id: "asc" }], take: 2 });
  console.log(p.length);
  await db.$disconnect();
} finally { await infra.stop(); }
