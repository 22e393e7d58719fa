// The storefront scenarios over our own graph: the whole stack of this checkout, and of `--baseline` when given,
// side by side in the same rounds.
import { randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { REPO_DIR } from "../gateways/gateways.js";
import { runScenario, type Target } from "../harness/scenario.js";
import { scenarioSection } from "../harness/section.js";
import type { PhaseContext, Section } from "../federation.js";
import type { RunOptions } from "../options.js";
import { CATALOG_QUERY, catalogFrom, sessionRequests, STOREFRONT_QUERY, type Catalog } from "./operations.js";
import { PASSWORD_HASH_COST, startStack, type Stack } from "./stack.js";

const TITLES = {
  storefront: "Our graph: the storefront query",
  "storefront-mix": "Our graph: a storefront session mix",
} as const;

const DESCRIPTIONS = {
  storefront:
    "The whole stack as deployed (Postgres, Redis, every subgraph and the router from their builds, production mode, one process each, on this machine): 20 products with price, category, rating and their 3 latest reviews with their authors, anonymous. With `--baseline`, the same stack of that commit runs side by side and is the reference of the ratio.",
  "storefront-mix": `The same stacks; each connection repeats a shopping session: log in, four times the product grid and a product page, place an order (a new idempotency key each time), order history — eleven requests, one log-in. The seeded password hashes use scrypt cost ${PASSWORD_HASH_COST} (the seed's default, 15, makes one log-in cost as much CPU as hundreds of other requests). Ratios as above.`,
} as const;

/** Whether the storefront can run here: it needs redis-server (Postgres is embedded). */
export function storefrontAvailable(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export async function runStorefront(
  options: RunOptions,
  { dir, tracesEndpoint, baseline, context, log }: PhaseContext,
): Promise<{ sections: Section[]; failed: boolean }> {
  const scenarios = options.scenarios.filter((s): s is keyof typeof TITLES => s in TITLES);
  if (scenarios.length === 0) return { sections: [], failed: false };
  if (!storefrontAvailable()) {
    log("storefront scenarios skipped: redis-server is not on PATH (apt-get install redis-server)");
    return { sections: [], failed: false };
  }
  let failed = false;
  const stacks: Stack[] = [
    await startStack({
      name: "router",
      repoDir: REPO_DIR,
      logDir: dir,
      tracesEndpoint,
      extraEnv: options.stackEnv,
      log,
    }),
  ];
  if (baseline)
    stacks.push(
      await startStack({
        name: `router@${baseline.short}`,
        repoDir: baseline.dir,
        logDir: dir,
        tracesEndpoint,
        extraEnv: options.stackEnv,
        log,
      }),
    );
  const targets: Target[] = stacks.map((stack) => ({
    name: stack.name,
    url: stack.routerUrl,
    pid: stack.routerPid,
    processes: { router: stack.routerPid, ...stack.subgraphPids },
  }));
  const catalogs = new Map<string, Catalog>();
  for (const stack of stacks) {
    const answer = await (
      await fetch(stack.routerUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: CATALOG_QUERY }),
      })
    ).json();
    catalogs.set(stack.name, catalogFrom(answer));
  }
  const reference = stacks.at(-1)?.name ?? "router";
  const router = [
    `started by ${stacks.map((stack) => `${stack.name}: ${stack.startedBy}`).join(", ")}`,
    "as deployed: `NODE_ENV=production`, `JWT_SECRET` and `ROUTER_SECRET` shared with the subgraphs, Redis (`REDIS_URL`: APQ, cost budgets, the subgraphs' caches)",
    "every protection at its default except `COST_BUDGET=1000000000` (one client sends every request and would spend a per-client budget)",
    tracesEndpoint
      ? "tracing at the default sampling exported to a loopback sink, subgraphs included"
      : "tracing not exported",
    ...Object.entries(options.stackEnv).map(([key, value]) => `\`${key}=${value}\` for every service`),
  ].join("; ");
  const sections: Section[] = [];
  for (const scenario of scenarios) {
    log(`\n== ${TITLES[scenario]} ==`);
    const { durationSeconds, warmupSeconds, rounds, storefrontConnections: connections } = options;
    const runId = randomUUID().slice(0, 8);
    const outcome = await runScenario(
      {
        body: JSON.stringify({ query: STOREFRONT_QUERY }),
        connections,
        durationSeconds,
        warmupSeconds,
        rounds,
        reference,
        ...(scenario === "storefront-mix"
          ? {
              sequence: (target: Target) => {
                const stack = stacks.find((s) => s.name === target.name) as Stack;
                return sessionRequests({
                  customer: stack.customer,
                  catalog: catalogs.get(stack.name) as Catalog,
                  keyPrefix: `bench-${runId}-${stack.name.replace(/[^A-Za-z0-9._:-]/g, "-")}`,
                });
              },
            }
          : {}),
      },
      targets,
      log,
    );
    const load = `${connections} connections, warm-up ${warmupSeconds} s, then ${rounds} round${rounds === 1 ? "" : "s"} × ${durationSeconds} s per stack, interleaved`;
    const { text, failed: scenarioFailed } = scenarioSection(outcome, {
      title: TITLES[scenario],
      description: DESCRIPTIONS[scenario],
      load,
      context,
      router,
      table: { reference },
    });
    if (scenarioFailed) failed = true;
    log(`\n${text}\n`);
    sections.push({ id: scenario, text });
  }
  return { sections, failed };
}
