// The federation-gateway scenarios: our router, vanilla @apollo/gateway and Hive Gateway over the public workload.
import { join } from "node:path";
import {
  gatewayAvailable,
  heapFlags,
  REPO_DIR,
  ROUTER_SETTINGS,
  startPeer,
  startRouter,
  type GatewayStart,
  type GatewayTarget,
} from "./gateways/gateways.js";
import type { Baseline } from "./harness/baseline.js";
import { freePort } from "./harness/processes.js";
import { runScenario, type Target } from "./harness/scenario.js";
import { scenarioSection, type RunContext } from "./harness/section.js";
import { tokenFactory } from "./harness/tokens.js";
import type { RunOptions } from "./options.js";
import { TEST_QUERY, TRIVIAL_QUERY } from "./workload/queries.js";
import { startBenchSubgraphs, subgraphStats, type BenchSubgraphs } from "./workload/start.js";
import { SUBGRAPH_NAMES } from "./workload/subgraphs.js";

export interface Section {
  id: string;
  text: string;
}

export interface PhaseContext {
  dir: string;
  tracesEndpoint: string | undefined;
  baseline: Baseline | undefined;
  context: RunContext;
  log: (line: string) => void;
}

const TITLES = {
  identical: "Federation gateways: identical requests",
  auth: "Federation gateways: a distinct valid JWT per request",
  trivial: "Federation gateways: trivial query, router overhead",
} as const;

const DESCRIPTIONS = {
  identical:
    "The public federation-gateway workload (four subgraphs `accounts`, `inventory`, `products`, `reviews`, in memory, one process each) and its nested `TestQuery`; every request is the same.",
  auth: "The same `TestQuery`, each request with its own valid HS256 JWT (distinct `sub`): our router verifies it, the peers only forward it; every gateway forwards it to the subgraphs. This defeats de-duplication across callers, like real traffic.",
  trivial:
    "`{ me { id username } }`: one subgraph, a tiny response, one connection. The last row calls the accounts subgraph directly; the `p50 over` column is what each gateway adds.",
} as const;

export async function runFederation(
  options: RunOptions,
  { dir, tracesEndpoint, baseline, context, log }: PhaseContext,
): Promise<{ sections: Section[]; failed: boolean }> {
  const scenarios = options.scenarios.filter((s): s is keyof typeof TITLES => s in TITLES);
  if (scenarios.length === 0) return { sections: [], failed: false };
  let failed = false;
  const subgraphs = await startBenchSubgraphs(dir);
  log(`subgraphs: ${SUBGRAPH_NAMES.map((name) => `${name} ${subgraphs.urls[name]}`).join(", ")}`);
  const gateways: GatewayTarget[] = [];
  const start = async (name: string): Promise<GatewayStart> => ({
    supergraphPath: subgraphs.supergraphPath,
    port: await freePort(),
    logPath: join(dir, `${name}.log`),
    tracesEndpoint,
    routerEnv: options.routerEnv,
    heapMb: options.routerHeapMb,
  });
  try {
    for (const kind of options.gateways) {
      if (!gatewayAvailable(kind)) {
        log(`${kind}: not installed in bench/node_modules, skipped (npm ci in bench/ installs it)`);
        continue;
      }
      gateways.push(
        kind === "router"
          ? await startRouter("router", REPO_DIR, await start("router"))
          : await startPeer(kind, await start(kind)),
      );
      if (kind === "router" && baseline) {
        const name = `router@${baseline.short}`;
        gateways.push(await startRouter(name, baseline.dir, await start(name)));
      }
    }
    log(`gateways: ${gateways.map((g) => `${g.name} ${g.url}`).join(", ")}`);
    const reference = gateways.some((g) => g.name === "vanilla") ? "vanilla" : (gateways[0]?.name ?? "vanilla");
    const router = routerSettings(
      await probeCost(gateways),
      tracesEndpoint !== undefined,
      options.routerEnv,
      options.routerHeapMb,
    );
    const tokens = tokenFactory({
      secret: ROUTER_SETTINGS.jwtSecret,
      issuer: ROUTER_SETTINGS.jwtIssuer,
      audience: ROUTER_SETTINGS.jwtAudience,
    });
    const authorization = () => `Bearer ${tokens()}`;
    const sections: Section[] = [];
    for (const scenario of scenarios) {
      log(`\n== ${TITLES[scenario]} ==`);
      const notes: string[] = [];
      let targets: Target[] = gateways;
      let connections = options.connections;
      let body = JSON.stringify({ query: TEST_QUERY });
      if (scenario === "auth") {
        const forwarding = await checkForwarding(gateways, subgraphs, authorization);
        if (!forwarding.ok) failed = true;
        notes.push(forwarding.line);
        log(`  ${forwarding.line}`);
      }
      if (scenario === "trivial") {
        targets = [
          ...gateways,
          { name: "accounts subgraph (direct)", url: subgraphs.urls.accounts, pid: subgraphs.services.accounts.pid },
        ];
        connections = 1;
        body = JSON.stringify({ query: TRIVIAL_QUERY });
      }
      const { durationSeconds, warmupSeconds, rounds } = options;
      const outcome = await runScenario(
        {
          body,
          connections,
          durationSeconds,
          warmupSeconds,
          rounds,
          reference,
          ...(scenario === "auth" ? { authorization } : {}),
        },
        targets,
        log,
      );
      const load = `${connections} connection${connections === 1 ? "" : "s"}, warm-up ${warmupSeconds} s, then ${rounds} round${rounds === 1 ? "" : "s"} × ${durationSeconds} s per gateway, interleaved`;
      const { text, failed: scenarioFailed } = scenarioSection(outcome, {
        title: TITLES[scenario],
        description: DESCRIPTIONS[scenario],
        load,
        context,
        router,
        table: { reference, ...(scenario === "trivial" ? { overheadOver: "accounts subgraph (direct)" } : {}) },
        notes,
      });
      if (scenarioFailed) failed = true;
      log(`\n${text}\n`);
      sections.push({ id: `gateways-${scenario}`, text });
    }
    return { sections, failed };
  } finally {
    for (const gateway of gateways) await gateway.service.stop();
    for (const service of Object.values(subgraphs.services)) await service.stop();
  }
}

/** How our router ran, for the record. */
export function routerSettings(
  estimatedCost: number | undefined,
  tracing: boolean,
  extra: Record<string, string>,
  heapMb: number,
): string {
  return [
    heapMb > 0
      ? `\`${heapFlags(heapMb).join(" ")}\` (the heap flags \`npm start\` gives the router)`
      : "no heap cap (`--router-heap-mb 0`: V8 sizes the heap from the machine's memory)",
    "`NODE_ENV=production`, a 44-character `JWT_SECRET` and `ROUTER_SECRET` (every subgraph request signed; the benchmark subgraphs ignore the signature)",
    "operation limits at their defaults (enforced)",
    `demand control enforced with \`COST_MAX=${ROUTER_SETTINGS.costMax}\`${estimatedCost === undefined ? "" : ` (TestQuery's estimated cost: ${estimatedCost})`}`,
    "field authorization on (`AUTHORIZATION_MODE=filter`)",
    tracing
      ? "tracing at the default sampling (parent-based, ratio 1) exported over OTLP/HTTP to a loopback sink"
      : "tracing not exported (`--no-trace-export`: ids propagate, no spans recorded)",
    "`LOG_LEVEL` default (`info`: one log line per operation)",
    "`REDIS_URL` unset (APQ in memory, no per-client cost budgets)",
    ...(Object.keys(extra).length > 0
      ? [
          `extra env: ${Object.entries(extra)
            .map(([k, value]) => `\`${k}=${value}\``)
            .join(" ")}`,
        ]
      : []),
  ].join("; ");
}

/** TestQuery's estimated cost by our router's own estimator (`x-include-cost`), for the record. */
async function probeCost(gateways: readonly GatewayTarget[]): Promise<number | undefined> {
  const router = gateways.find((g) => g.name === "router");
  if (!router) return undefined;
  const response = await fetch(router.url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-include-cost": "true" },
    body: JSON.stringify({ query: TEST_QUERY }),
  });
  const body = (await response.json()) as { extensions?: { cost?: { estimated?: number } } };
  return body.extensions?.cost?.estimated;
}

/** Sends one token through each gateway and checks that every subgraph received it. */
async function checkForwarding(
  gateways: readonly GatewayTarget[],
  subgraphs: BenchSubgraphs,
  authorization: () => string,
): Promise<{ ok: boolean; line: string }> {
  const results: string[] = [];
  let ok = true;
  for (const gateway of gateways) {
    const header = authorization();
    await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: header },
      body: JSON.stringify({ query: TEST_QUERY }),
    });
    const missing: string[] = [];
    for (const name of SUBGRAPH_NAMES)
      if ((await subgraphStats(subgraphs.urls[name])).lastAuthorization !== header) missing.push(name);
    if (missing.length > 0) ok = false;
    results.push(missing.length === 0 ? `${gateway.name} ✓` : `${gateway.name} ✗ (not seen by ${missing.join(", ")})`);
  }
  return { ok, line: `Authorization forwarded to all four subgraphs: ${results.join(", ")}` };
}
