// Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that
// takes the existing migrations to schema.prisma (offline, via the WASM engine).
// Where Prisma's native engine is available, `npx prisma migrate dev` works too.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createScratchDatabase } from "../scratch.js";
import { diffMigrationsToSchema } from "../prismaWasm.js";
import { migrationsDir } from "../paths.js";

const name = (process.argv[2] ?? "")
  .trim()
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, "_")
  .replace(/^_|_$/g, "");
if (!name) {
  console.error("usage: npm run migration:new -w @commerce/db -- <name>");
  process.exit(2);
}
const scratch = await createScratchDatabase(process.env.DATABASE_URL);
try {
  const sql = await diffMigrationsToSchema(scratch.url);
  if (sql === "" || /^-- This is an empty migration\.?$/m.test(sql)) {
    console.log("No schema changes: no migration written.");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = join(migrationsDir, `${stamp}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "migration.sql"), `${sql}\n`);
    console.log(`wrote ${join(dir, "migration.sql")}`);
  }
} finally {
  await scratch.drop();
}
