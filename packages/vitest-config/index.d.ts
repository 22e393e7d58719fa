import type { ViteUserConfig } from "vitest/config";

/** The unit tier, plus the int and e2e tiers when `globalSetup` (real Postgres and Redis) is given. */
export function testTiers(options?: { globalSetup?: string }): ViteUserConfig;
