import type { ViteUserConfig } from "vitest/config";

/** The unit / int / e2e test tiers as vitest projects (see vitest.js). */
export function testTiers(): ViteUserConfig;
