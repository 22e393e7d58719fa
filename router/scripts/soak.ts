// Soak: the storefront mix through the router of the whole graph (processes, private Postgres and Redis) for
// SOAK_SECONDS (default 600), then prints the figures and writes them to BENCHMARKS.md (its own section).
// Usage: npm run soak -w @commerce/router      SOAK_SECONDS=60 SOAK_SHOPPERS=8 npm run soak -w @commerce/router
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { readEnv } from "@commerce/common";
import { heapSizes } from "@commerce/start";
import { RSS_BOUND_MIB, runSoak, soakMarkdown } from "../test/faults/soak.js";
import { describeFailures } from "../test/faults/storefront.js";
// The benchmark package's section writer (bench/ is its own npm package; this file has only Node imports).
import { writeSection } from "../../bench/src/harness/benchmarksFile.js";
import { gitRevision } from "../../bench/src/harness/machine.js";

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const shoppers = Number(process.env.SOAK_SHOPPERS ?? 4);
console.log(`soak: ${shoppers} shoppers for ${seconds} s…`);
// The machine is often shared: its load says how much CPU the graph could get.
const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(" ");
const loadAtStart = load();
const report = await runSoak({ seconds, shoppers, onProgress: (line) => console.log(line) });

const gateway = (
  JSON.parse(readFileSync(new URL("../../node_modules/@apollo/gateway/package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
const versions = `commit ${gitRevision(fileURLToPath(new URL("../..", import.meta.url)))}, Node ${process.version}, @apollo/gateway ${gateway}, Postgres ${report.versions.postgres} (embedded), Redis ${report.versions.redis}`;
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), load average ${loadAtStart} at the start and ${load()} at the end (1, 5, 15 min)`;
const heapRead = readEnv("soak", process.env);
const heap = Object.entries(heapSizes(heapRead, Object.keys(report.rss)))
  .map(([name, mb]) => `${name} ${mb} MB`)
  .join(", ");
const date = `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`;
const markdown = soakMarkdown(report, {
  command: `SOAK_SECONDS=${seconds} npm run soak -w @commerce/router`,
  date,
  versions,
  machine,
  heap,
});
console.log(`\n${markdown}\n`);
writeSection(fileURLToPath(new URL("../../BENCHMARKS.md", import.meta.url)), "soak", markdown);
console.log("written to BENCHMARKS.md (soak section)");

const overBound = Object.entries(report.rss).filter(([, rss]) => rss.peak >= RSS_BOUND_MIB);
if (report.failures.length > 0 || overBound.length > 0) {
  console.error(`${report.failures.length} failed request(s)\n${describeFailures(report.failures)}`);
  for (const [name, rss] of overBound)
    console.error(`${name}: RSS peaked at ${rss.peak.toFixed(0)} MiB (bound ${RSS_BOUND_MIB})`);
  process.exitCode = 1;
}
