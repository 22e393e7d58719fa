// The three test tiers of STYLE.md §7 as vitest projects. Plain JavaScript so a
// package's vitest.config.ts can import it without a build step.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { defaultClientConditions, defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

const globalSetup = fileURLToPath(new URL("./src/globalSetup.ts", import.meta.url));
// Workspace packages export their TypeScript sources under the "development" condition.
// One graphql instance: Apollo (loaded by Node) gets graphql's CommonJS build, and
// without this alias our sources (loaded by vite) would get its ESM build, so
// `instanceof GraphQLError` and schema identity checks would fail across the two.
const graphqlEntry = createRequire(import.meta.url).resolve("graphql");
const shared = {
  resolve: { conditions: ["development", ...defaultClientConditions], alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  // Not "module": it sends some packages (@opentelemetry/api) to builds Node cannot load.
  ssr: { resolve: { conditions: ["development", ...defaultServerConditions.filter((c) => c !== "module")] } },
};
const withServices = { globalSetup, environment: "node", testTimeout: 30_000, hookTimeout: 120_000, fileParallelism: false };

/**
 * `*.test.ts`: no external services. `*.int.test.ts` and `test/e2e/*.e2e.ts`:
 * real Postgres and Redis, started once per run by the global setup.
 * @returns {import("vitest/config").ViteUserConfig}
 */
export function testTiers() {
  return defineConfig({
    ...shared,
    test: {
      projects: [
        { ...shared, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/**/*.int.test.ts"], environment: "node" } },
        { ...shared, test: { name: "int", include: ["test/**/*.int.test.ts"], ...withServices } },
        { ...shared, test: { name: "e2e", include: ["test/e2e/**/*.e2e.ts"], ...withServices } },
      ],
    },
  });
}
