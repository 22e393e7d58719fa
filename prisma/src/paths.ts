import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/** The `prisma/` package folder, from src/ (dev) or dist/src/ (built). */
const here = dirname(fileURLToPath(import.meta.url));
export const packageDir = here.endsWith(join("dist", "src")) ? join(here, "..", "..") : join(here, "..");
export const migrationsDir = join(packageDir, "migrations");
export const schemaDir = join(packageDir, "schema");
