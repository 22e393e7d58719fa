// Fails (exit 1) when prisma/schema and prisma/migrations disagree, printing the
// SQL a new migration would need. Uses DATABASE_URL's server for its scratch
// database when set, else a throw-away embedded Postgres.
import { createScratchDatabase } from "../scratch.js";
import { diffMigrationsToSchema } from "../prismaWasm.js";

const scratch = await createScratchDatabase(process.env.DATABASE_URL);
let exitCode = 0;
try {
  const missing = await diffMigrationsToSchema(scratch.url);
  if (missing === "" || /^-- This is an empty migration\.?$/m.test(missing)) {
    console.log("prisma: schema and migrations agree (no drift).");
  } else {
    console.error("prisma: DRIFT — schema.prisma has changes that no migration contains. Missing SQL:\n");
    console.error(missing);
    console.error("\nCreate the migration with: npm run migration:new -w @commerce/db -- <name>");
    exitCode = 1;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  exitCode = 1;
} finally {
  await scratch.drop();
}
process.exit(exitCode);
