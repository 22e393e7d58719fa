import type { TestProject } from "vitest/node";
import { startTestInfra } from "./infra.js";

import "./provided.js";

/** vitest globalSetup for the int and e2e tiers: one Postgres and one Redis per run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const infra = await startTestInfra();
  project.provide("databaseUrl", infra.databaseUrl);
  project.provide("redisUrl", infra.redisUrl);
  return () => infra.stop();
}
