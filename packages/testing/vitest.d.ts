import type { ViteUserConfig } from "vitest/config";

/** The unit, int and e2e tiers, the last two with real Postgres and Redis (see vitest.js). */
export function testTiers(): ViteUserConfig;
