// The test tiers with real services: the int and e2e tiers get this package's global setup
// (one Postgres and one Redis per run). Plain JavaScript, imported by vitest.config.ts files.
import { fileURLToPath } from "node:url";
import { testTiers as tiers } from "@commerce/vitest-config";

const globalSetup = fileURLToPath(new URL("./src/globalSetup.ts", import.meta.url));

/** @returns {import("vitest/config").ViteUserConfig} */
export function testTiers() {
  return tiers({ globalSetup });
}
