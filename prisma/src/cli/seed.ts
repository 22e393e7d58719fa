// Seeds DATABASE_URL with the demo data set (idempotent).
import { createDb } from "../client.js";
import { seed } from "../seed.js";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is required.");
  process.exit(2);
}
const started = Date.now();
const db = createDb(url);
try {
  const { inserted } = await seed(db);
  console.log(`seed: inserted ${JSON.stringify(inserted)} in ${Date.now() - started} ms`);
} finally {
  await db.$disconnect();
}
