import { fileURLToPath } from "node:url";
import { defineConfig, type ViteUserConfig } from "vitest/config";

const globalSetup = fileURLToPath(new URL("./globalSetup.ts", import.meta.url));
const conditions = ["development", "node", "import", "default"];

/**
 * The three test tiers of STYLE.md §7 as vitest projects:
 * `*.test.ts` (no services), `*.int.test.ts` and `*.e2e.ts` (real Postgres + Redis).
 */
export function testTiers(): ViteUserConfig {
  const shared = { resolve: { conditions }, ssr: { resolve: { conditions, externalConditions: conditions } } };
  return defineConfig({
    ...shared,
    test: {
      projects: [
        { ...shared, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/**/*.int.test.ts"], environment: "node" } },
        {
          ...shared,
          test: { name: "int", include: ["test/**/*.int.test.ts"], globalSetup, environment: "node", testTimeout: 30_000, hookTimeout: 60_000, fileParallelism: false },
        },
        {
          ...shared,
          test: { name: "e2e", include: ["test/e2e/**/*.e2e.ts"], globalSetup, environment: "node", testTimeout: 30_000, hookTimeout: 60_000, fileParallelism: false },
        },
      ],
    },
  });
}
