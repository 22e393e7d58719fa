// npm run bench [-- options]: the federation-gateway benchmark (see bench/README.md).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { GATEWAY_KINDS, REPO_DIR, ROUTER_SETTINGS, BENCH_DIR, gatewayAvailable, startPeer, startRouter, type GatewayKind, type GatewayTarget } from "./gateways/gateways.js";
import { prepareBaseline } from "./harness/baseline.js";
import { writeSection } from "./harness/benchmarksFile.js";
import { commandLine, gitRevision, machineLine, packageVersion } from "./harness/machine.js";
import { freePort, installCleanup, stopAll } from "./harness/processes.js";
import { runScenario, type ScenarioOutcome, type Target } from "./harness/scenario.js";
import { startTraceSink, type TraceSink } from "./harness/sink.js";
import { renderTable } from "./harness/table.js";
import { tokenFactory } from "./harness/tokens.js";
import { TEST_QUERY, TRIVIAL_QUERY } from "./workload/queries.js";
import { startBenchSubgraphs, subgraphStats, type BenchSubgraphs } from "./workload/start.js";
import { SUBGRAPH_NAMES } from "./workload/subgraphs.js";

const SCENARIOS = ["identical", "auth", "trivial"] as const;
type Scenario = (typeof SCENARIOS)[number];

const argv = process.argv.slice(2);
const { values: options } = parseArgs({
  args: argv,
  options: {
    scenarios: { type: "string", default: SCENARIOS.join(",") },
    gateways: { type: "string", default: GATEWAY_KINDS.join(",") },
    connections: { type: "string", default: "50" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    baseline: { type: "string" },
    "router-env": { type: "string", multiple: true, default: [] },
    "no-trace-export": { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
    "keep-logs": { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (options.help) {
  console.log(`usage: npm run bench -- [--scenarios ${SCENARIOS.join(",")}] [--gateways ${GATEWAY_KINDS.join(",")}]
  [--connections 50] [--duration 10] [--warmup 5] [--rounds 3] [--baseline <git-rev>]
  [--router-env KEY=VALUE ...] [--no-trace-export] [--no-write] [--keep-logs] [--smoke]
--smoke: 1 round of 2 s after a 1 s warm-up, nothing written (keeps the scripts working in CI).`);
  process.exit(0);
}

const smoke = options.smoke;
const numberOption = (name: string, value: string, min: number): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${value}"`);
  return parsed;
};
const connections = numberOption("connections", options.connections, 1);
const durationSeconds = smoke ? 2 : numberOption("duration", options.duration, 1);
const warmupSeconds = smoke ? 1 : numberOption("warmup", options.warmup, 0);
const rounds = smoke ? 1 : numberOption("rounds", options.rounds, 1);
const write = !smoke && !options["no-write"];
const scenarios = options.scenarios.split(",").map((s) => s.trim()) as Scenario[];
for (const scenario of scenarios) if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario "${scenario}" (known: ${SCENARIOS.join(", ")})`);
const wanted = options.gateways.split(",").map((g) => g.trim()) as GatewayKind[];
for (const kind of wanted) if (!GATEWAY_KINDS.includes(kind)) throw new Error(`unknown gateway "${kind}" (known: ${GATEWAY_KINDS.join(", ")})`);
const routerEnv = Object.fromEntries(
  options["router-env"].map((pair) => {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`--router-env takes KEY=VALUE, got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

const targetCount = wanted.length + (options.baseline ? 1 : 0) + 1;
const perScenario = targetCount * (warmupSeconds + rounds * durationSeconds + 5);
installCleanup((240 + (options.baseline ? 1800 : 0) + scenarios.length * perScenario * 1.5) * 1000);

const TITLES: Record<Scenario, string> = {
  identical: "Federation gateways: identical requests",
  auth: "Federation gateways: a distinct valid JWT per request",
  trivial: "Federation gateways: trivial query, router overhead",
};

const DESCRIPTIONS: Record<Scenario, string> = {
  identical: "The public federation-gateway workload (four subgraphs `accounts`, `inventory`, `products`, `reviews`, in memory) and its nested `TestQuery`; every request is the same.",
  auth: "The same `TestQuery`, each request with its own valid HS256 JWT (distinct `sub`): our router verifies it, the peers only forward it; every gateway forwards it to the subgraphs. This defeats de-duplication across callers, like real traffic.",
  trivial: "`{ me { id username } }`: one subgraph, a tiny response, one connection. The last row calls the accounts subgraph directly; the `p50 over` column is what each gateway adds.",
};

const dir = mkdtempSync(join(tmpdir(), "commerce-bench-"));
const log = (line: string) => console.log(line);
let sink: TraceSink | undefined;
let failed = false;

try {
  const machine = machineLine();
  log(`${commandLine(argv)}\n${machine}\nlogs in ${dir}`);
  const baseline = options.baseline ? prepareBaseline(REPO_DIR, options.baseline, log) : undefined;
  sink = options["no-trace-export"] ? undefined : await startTraceSink();
  const subgraphs = await startBenchSubgraphs(dir);
  log(`subgraphs: ${SUBGRAPH_NAMES.map((name) => `${name} ${subgraphs.urls[name]}`).join(", ")}`);

  const gateways: GatewayTarget[] = [];
  const start = async (name: string) => ({ supergraphPath: subgraphs.supergraphPath, port: await freePort(), logPath: join(dir, `${name}.log`), tracesEndpoint: sink?.url, routerEnv });
  for (const kind of wanted) {
    if (!gatewayAvailable(kind)) {
      log(`${kind}: not installed in bench/node_modules, skipped (npm ci in bench/ installs it)`);
      continue;
    }
    gateways.push(kind === "router" ? await startRouter("router", REPO_DIR, await start("router")) : await startPeer(kind, await start(kind)));
    if (kind === "router" && baseline) {
      const name = `router@${baseline.short}`;
      gateways.push(await startRouter(name, baseline.dir, await start(name)));
    }
  }
  log(`gateways: ${gateways.map((g) => `${g.name} ${g.url}`).join(", ")}`);
  const reference = gateways.some((g) => g.name === "vanilla") ? "vanilla" : (gateways[0]?.name ?? "vanilla");
  const estimatedCost = await probeCost(gateways);

  const tokens = tokenFactory({ secret: ROUTER_SETTINGS.jwtSecret, issuer: ROUTER_SETTINGS.jwtIssuer, audience: ROUTER_SETTINGS.jwtAudience });
  const authorization = () => `Bearer ${tokens()}`;
  const context: SectionContext = {
    command: commandLine(argv),
    machine,
    versions: versionsLine(baseline?.short),
    router: routerLine(estimatedCost, sink !== undefined, routerEnv),
  };

  for (const scenario of scenarios) {
    const plan = { connections, durationSeconds, warmupSeconds, rounds, reference };
    let outcome: ScenarioOutcome;
    let targets: Target[] = gateways;
    const notes: string[] = [];
    log(`\n== ${TITLES[scenario]} ==`);
    if (scenario === "identical") {
      outcome = await runScenario({ ...plan, body: JSON.stringify({ query: TEST_QUERY }) }, targets, log);
    } else if (scenario === "auth") {
      notes.push(await checkForwarding(gateways, subgraphs, authorization));
      log(`  ${notes[0]}`);
      outcome = await runScenario({ ...plan, body: JSON.stringify({ query: TEST_QUERY }), authorization }, targets, log);
    } else {
      const accounts = subgraphs.services.accounts;
      targets = [...gateways, { name: "accounts subgraph (direct)", url: subgraphs.urls.accounts, pid: accounts.pid }];
      outcome = await runScenario({ ...plan, connections: 1, body: JSON.stringify({ query: TRIVIAL_QUERY }) }, targets, log);
    }
    if (!outcome.before.identical || !outcome.after.identical) failed = true;
    const table = renderTable(outcome.summaries, { reference, ...(scenario === "trivial" ? { overheadOver: "accounts subgraph (direct)" } : {}) });
    const section = renderSection(scenario, outcome, table, notes, context, scenario === "trivial" ? 1 : connections);
    log(`\n${section}\n`);
    if (write) {
      writeSection(join(REPO_DIR, "BENCHMARKS.md"), `gateways-${scenario}`, section);
      log(`(written to BENCHMARKS.md, section gateways-${scenario})`);
    }
  }
  if (sink) log(`trace exports received from the router: ${sink.exports()}`);
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
} finally {
  await stopAll();
  await sink?.close();
  if (!options["keep-logs"] && !failed) rmSync(dir, { recursive: true, force: true });
  else log(`logs kept in ${dir}`);
}
process.exit(failed ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------

interface SectionContext {
  command: string;
  machine: string;
  versions: string;
  router: string;
}

function renderSection(scenario: Scenario, outcome: ScenarioOutcome, table: string, notes: string[], context: SectionContext, connectionCount: number): string {
  const answers =
    outcome.before.identical && outcome.after.identical
      ? `byte-identical JSON (keys sorted) from every target before and after the load (${(outcome.before.bytes / 1024).toFixed(1)} KB)`
      : `**NOT identical**: ${[...outcome.before.differences, ...outcome.after.differences].join("; ")}`;
  return [
    `## ${TITLES[scenario]}`,
    "",
    DESCRIPTIONS[scenario],
    "",
    `- Command: \`${context.command}\` (${connectionCount} connection${connectionCount === 1 ? "" : "s"}, warm-up ${warmupSeconds} s, then ${rounds} round${rounds === 1 ? "" : "s"} × ${durationSeconds} s per gateway, interleaved)`,
    `- Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${context.machine}; the machine is shared, so compare the ratios of one run, not absolute figures.`,
    `- Versions: ${context.versions}`,
    `- Router: ${context.router}`,
    `- Answers: ${answers}`,
    ...notes.map((note) => `- ${note}`),
    "",
    table,
    "",
    "RPS is the median round; latency percentiles pool every response of every round; errors count transport errors, non-2xx and responses with GraphQL errors; CPU % is the gateway process over its measured rounds (100 = one core); peak RSS is the process's high-water mark.",
  ].join("\n");
}

function versionsLine(baselineShort: string | undefined): string {
  const v = (dir: string, name: string) => `${name} ${packageVersion(dir, name)}`;
  return [
    `router ${gitRevision(REPO_DIR)} (${v(REPO_DIR, "@apollo/gateway")}, ${v(REPO_DIR, "@apollo/server")})`,
    ...(baselineShort ? [`baseline router ${baselineShort}`] : []),
    `vanilla ${v(BENCH_DIR, "@apollo/gateway")} + ${v(BENCH_DIR, "@apollo/server")}`,
    v(BENCH_DIR, "@graphql-hive/gateway"),
    v(BENCH_DIR, "@graphql-hive/router-runtime"),
    v(BENCH_DIR, "autocannon"),
  ].join(", ");
}

function routerLine(estimatedCost: number | undefined, tracing: boolean, extra: Record<string, string>): string {
  return [
    "`NODE_ENV=production`, a 44-character `JWT_SECRET` and `ROUTER_SECRET` (every subgraph request signed; the benchmark subgraphs ignore the signature)",
    "operation limits at their defaults (enforced)",
    `demand control enforced with \`COST_MAX=${ROUTER_SETTINGS.costMax}\` (TestQuery's estimated cost: ${estimatedCost ?? "unknown"})`,
    "field authorization on (`AUTHORIZATION_MODE=filter`; the benchmark supergraph declares no requirements)",
    tracing ? "tracing at the default sampling (parent-based, ratio 1) exported over OTLP/HTTP to a loopback sink" : "tracing not exported (`--no-trace-export`: ids propagate, no spans recorded)",
    "`LOG_LEVEL` default (`info`: one log line per operation)",
    "`REDIS_URL` unset (APQ in memory, no per-client cost budgets)",
    ...(Object.keys(extra).length > 0 ? [`extra env: ${Object.entries(extra).map(([k, value]) => `\`${k}=${value}\``).join(" ")}`] : []),
  ].join("; ");
}

/** TestQuery's estimated cost by our router's own estimator (`x-include-cost`), for the record. */
async function probeCost(gateways: readonly GatewayTarget[]): Promise<number | undefined> {
  const router = gateways.find((g) => g.name === "router");
  if (!router) return undefined;
  const response = await fetch(router.url, { method: "POST", headers: { "content-type": "application/json", "x-include-cost": "true" }, body: JSON.stringify({ query: TEST_QUERY }) });
  const body = (await response.json()) as { extensions?: { cost?: { estimated?: number } } };
  return body.extensions?.cost?.estimated;
}

/** Sends one token through each gateway and checks that every subgraph received it. */
async function checkForwarding(gateways: readonly GatewayTarget[], subgraphs: BenchSubgraphs, authorization: () => string): Promise<string> {
  const results: string[] = [];
  for (const gateway of gateways) {
    const header = authorization();
    await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json", authorization: header }, body: JSON.stringify({ query: TEST_QUERY }) });
    const missing: string[] = [];
    for (const name of SUBGRAPH_NAMES) if ((await subgraphStats(subgraphs.urls[name])).lastAuthorization !== header) missing.push(name);
    if (missing.length > 0) failed = true;
    results.push(missing.length === 0 ? `${gateway.name} ✓` : `${gateway.name} ✗ (not seen by ${missing.join(", ")})`);
  }
  return `Authorization forwarded to all four subgraphs: ${results.join(", ")}`;
}
