// Seeds DATABASE_URL with the demo data set (idempotent). Its demo accounts have a published password, so with
// NODE_ENV=production it seeds only when SEED says so: `SEED=true` (everything) or `SEED=catalog` (no accounts).
import { createDb } from "../client.js";
import { seed } from "../seed.js";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is required.");
  process.exit(2);
}
const asked = (process.env.SEED ?? "").trim().toLowerCase();
if (asked !== "" && !["true", "1", "catalog"].includes(asked)) {
  console.error(`SEED must be true or catalog, got "${asked}".`);
  process.exit(2);
}
if (process.env.NODE_ENV === "production" && asked === "") {
  console.error(
    "NODE_ENV=production: refusing to seed demo accounts with a published password. Set SEED=true to seed them anyway, or SEED=catalog for the catalog alone.",
  );
  process.exit(2);
}
const started = Date.now();
const db = createDb(url);
try {
  const { inserted } = await seed(db, { demoAccounts: asked !== "catalog" });
  console.log(`seed: inserted ${JSON.stringify(inserted)} in ${Date.now() - started} ms`);
} finally {
  await db.$disconnect();
}
