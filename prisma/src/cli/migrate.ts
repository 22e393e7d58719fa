// Applies pending migrations to DATABASE_URL (same bookkeeping as `prisma migrate deploy`).
import { migrate } from "../migrate.js";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is required (postgresql://user:password@host:5432/database).");
  process.exit(2);
}
try {
  const result = await migrate(url, { log: (line) => console.log(line) });
  console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied} already applied`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
