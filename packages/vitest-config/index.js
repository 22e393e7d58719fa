// The three test tiers (unit, int, e2e) as vitest projects. Plain JavaScript so a
// package's vitest.config.ts can import it without a build step.
import { createRequire } from "node:module";
import { defaultClientConditions, defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Workspace packages export their TypeScript sources under the "development" condition.
// One graphql instance: Apollo (loaded by Node) gets graphql's CommonJS build, and
// without this alias our sources (loaded by vite) would get its ESM build, so
// `instanceof GraphQLError` and schema identity checks would fail across the two.
const graphqlEntry = createRequire(import.meta.url).resolve("graphql");
const shared = {
  resolve: {
    conditions: ["development", ...defaultClientConditions],
    alias: [{ find: /^graphql$/, replacement: graphqlEntry }],
  },
  // Not "module": it sends some packages (@opentelemetry/api) to builds Node cannot load.
  ssr: { resolve: { conditions: ["development", ...defaultServerConditions.filter((c) => c !== "module")] } },
};

/**
 * `*.test.ts`: no external services. `*.fault.test.ts`: starts its own Postgres, Redis and service processes and
 * breaks them (pauses, kills, restarts), never touching the shared ones. With `globalSetup` (the one of `@commerce/testing`, which starts a real
 * Postgres and Redis once per run), also `*.int.test.ts` and `test/e2e/*.e2e.ts`.
 * @param {{ globalSetup?: string }} [options]
 * @returns {import("vitest/config").ViteUserConfig}
 */
export function testTiers({ globalSetup } = {}) {
  const withServices = {
    globalSetup,
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  };
  const projects = [
    {
      ...shared,
      test: {
        name: "unit",
        include: ["test/**/*.test.ts"],
        exclude: ["test/**/*.int.test.ts", "test/**/*.fault.test.ts"],
        environment: "node",
      },
    },
    // Each fault test starts (and pauses, kills, restarts) its own private services and processes.
    {
      ...shared,
      test: {
        name: "fault",
        include: ["test/**/*.fault.test.ts"],
        environment: "node",
        testTimeout: 120_000,
        hookTimeout: 180_000,
        fileParallelism: false,
      },
    },
  ];
  if (globalSetup) {
    projects.push(
      { ...shared, test: { name: "int", include: ["test/**/*.int.test.ts"], ...withServices } },
      { ...shared, test: { name: "e2e", include: ["test/e2e/**/*.e2e.ts"], ...withServices } },
    );
  }
  return defineConfig({ ...shared, test: { projects } });
}
