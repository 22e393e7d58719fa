// npm run bench [-- options]: the router's benchmarks (see bench/README.md and `--help`).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runFederation, type PhaseContext } from "./federation.js";
import { BENCH_DIR, REPO_DIR } from "./gateways/gateways.js";
import { prepareBaseline } from "./harness/baseline.js";
import { writeSection } from "./harness/benchmarksFile.js";
import { commandLine, gitRevision, machineLine, packageVersion } from "./harness/machine.js";
import { installCleanup, stopAll } from "./harness/processes.js";
import { startTraceSink } from "./harness/sink.js";
import { FEDERATION_SCENARIOS, parseOptions, USAGE } from "./options.js";
import { runEntities } from "./entities/run.js";
import { runSteady } from "./steady.js";
import { runStorefront } from "./storefront/run.js";

const argv = process.argv.slice(2);
const options = parseOptions(argv);
if (options === "help") {
  console.log(USAGE);
  process.exit(0);
}

// A deadline for the whole run, from what it plans to do, so it always ends by itself.
const targets = options.gateways.length + (options.baseline ? 1 : 0) + 1;
const perScenario = targets * (options.warmupSeconds + options.rounds * options.durationSeconds + 10);
const steady = options.scenarios.includes("steady") ? options.steadyMinutes * 60 + 120 : 0;
installCleanup((300 + (options.baseline ? 1800 : 0) + steady + options.scenarios.length * perScenario * 1.5) * 1000);

const dir = mkdtempSync(join(tmpdir(), "commerce-bench-"));
const log = (line: string) => console.log(line);
const sink = options.traceExport ? await startTraceSink() : undefined;
let failed = false;
try {
  const machine = machineLine();
  log(`${commandLine(argv)}\n${machine}\nlogs in ${dir}`);
  const baseline = options.baseline ? prepareBaseline(REPO_DIR, options.baseline, log) : undefined;
  const v = (where: string, name: string) => `${name} ${packageVersion(where, name)}`;
  const versions = [
    `router ${gitRevision(REPO_DIR)} (${v(REPO_DIR, "@apollo/gateway")}, ${v(REPO_DIR, "@apollo/server")})`,
    ...(baseline ? [`baseline router ${baseline.short}`] : []),
    ...(options.scenarios.some((s) => (FEDERATION_SCENARIOS as readonly string[]).includes(s))
      ? [
          `vanilla ${v(BENCH_DIR, "@apollo/gateway")} + ${v(BENCH_DIR, "@apollo/server")}`,
          v(BENCH_DIR, "@graphql-hive/gateway"),
          v(BENCH_DIR, "@graphql-hive/router-runtime"),
        ]
      : []),
    v(BENCH_DIR, "autocannon"),
  ].join(", ");
  const phase: PhaseContext = {
    dir,
    tracesEndpoint: sink?.url,
    baseline,
    context: { command: commandLine(argv), machine, versions },
    log,
  };
  for (const run of [runFederation, runStorefront, runEntities, runSteady]) {
    const result = await run(options, phase);
    failed ||= result.failed;
    for (const section of result.sections) {
      if (!options.write) continue;
      writeSection(join(REPO_DIR, "BENCHMARKS.md"), section.id, section.text);
      log(`(BENCHMARKS.md: section ${section.id} written)`);
    }
  }
  if (sink) log(`trace exports received: ${sink.exports()}`);
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
} finally {
  await stopAll();
  await sink?.close();
  if (!options.keepLogs && !failed) rmSync(dir, { recursive: true, force: true });
  else log(`logs kept in ${dir}`);
}
process.exit(failed ? 1 : 0);
