// `--scenarios steady`: our router at a steady rate below saturation for minutes (10 by default), its RSS sampled
// throughout: memory must stay flat (the issue's target: ±10 %). Each request carries its own valid JWT, so a
// per-caller cache that never forgets shows up here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_DIR, ROUTER_SETTINGS, startRouter } from "./gateways/gateways.js";
import { runLoad } from "./harness/load.js";
import { parseFullGc, postGcHeap } from "./harness/gc.js";
import { cpuSeconds, freePort, memory } from "./harness/processes.js";
import { describeCauses } from "./harness/scenario.js";
import { median } from "./harness/stats.js";
import { formatMs } from "./harness/table.js";
import { tokenFactory } from "./harness/tokens.js";
import { routerSettings, type PhaseContext, type Section } from "./federation.js";
import type { RunOptions } from "./options.js";
import { TEST_QUERY } from "./workload/queries.js";
import { startBenchSubgraphs } from "./workload/start.js";

export interface RssSample {
  seconds: number;
  rss: number;
}

/**
 * The spread of RSS once warmed up (samples of the first tenth of the run left out): the largest distance of a
 * sample from their median, relative to it. Also the first and last warmed-up samples, to tell drift from noise.
 */
export function rssSpread(samples: readonly RssSample[]): {
  median: number;
  spread: number;
  first: number;
  last: number;
  min: number;
  max: number;
} {
  const end = samples.at(-1)?.seconds ?? 0;
  const warmed = samples.filter((sample) => sample.seconds >= end / 10);
  const values = warmed.map((sample) => sample.rss);
  const middle = median(values);
  const spread = values.length > 0 ? Math.max(...values.map((value) => Math.abs(value - middle))) / middle : NaN;
  return {
    median: middle,
    spread,
    first: values[0] ?? NaN,
    last: values.at(-1) ?? NaN,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/**
 * Growth once warmed up, not the garbage collector's sawtooth: the mean RSS of the last fifth of the warmed-up
 * samples over the mean of their first fifth, minus 1 (0.05 = grew 5 %). Means, because each fifth spans several
 * collections and a mean evens their sawtooth out where a median would pick a tooth.
 */
export function rssDrift(samples: readonly RssSample[]): number {
  const end = samples.at(-1)?.seconds ?? 0;
  const warmed = samples.filter((sample) => sample.seconds >= end / 10).map((sample) => sample.rss);
  const fifth = Math.max(1, Math.floor(warmed.length / 5));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return mean(warmed.slice(-fifth)) / mean(warmed.slice(0, fifth)) - 1;
}

export async function runSteady(
  options: RunOptions,
  { dir, tracesEndpoint, context, log }: PhaseContext,
): Promise<{ sections: Section[]; failed: boolean }> {
  if (!options.scenarios.includes("steady")) return { sections: [], failed: false };
  log(`\n== steady rate, RSS over ${options.steadyMinutes} min ==`);
  const subgraphs = await startBenchSubgraphs(dir);
  const logPath = join(dir, "router-steady.log");
  const spawned = performance.now();
  const router = await startRouter("router", REPO_DIR, {
    supergraphPath: subgraphs.supergraphPath,
    port: await freePort(),
    logPath,
    tracesEndpoint,
    routerEnv: options.routerEnv,
    heapMb: options.routerHeapMb,
    // Its full collections, in its log: the heap after each is what it keeps (a leak shows there).
    traceGc: true,
  });
  try {
    const tokens = tokenFactory({
      secret: ROUTER_SETTINGS.jwtSecret,
      issuer: ROUTER_SETTINGS.jwtIssuer,
      audience: ROUTER_SETTINGS.jwtAudience,
    });
    const authorization = () => `Bearer ${tokens()}`;
    const body = JSON.stringify({ query: TEST_QUERY });
    const connections = Math.min(options.connections, 10);
    let rate = options.steadyRate;
    if (rate === undefined) {
      const burst = await runLoad({
        url: router.url,
        body,
        connections: options.connections,
        durationSeconds: 10,
        authorization,
      });
      rate = Math.max(1, Math.floor(burst.ok / burst.seconds / 2));
      log(`  saturation burst: ${(burst.ok / burst.seconds).toFixed(1)} RPS; steady rate: half of it, ${rate} RPS`);
    }
    const seconds = Math.round(options.steadyMinutes * 60);
    const every = Math.max(2, Math.round(seconds / 60));
    const samples: RssSample[] = [];
    const started = performance.now();
    const cpuBefore = cpuSeconds(router.pid);
    const sample = () => samples.push({ seconds: (performance.now() - started) / 1000, rss: memory(router.pid).rss });
    sample();
    const timer = setInterval(() => {
      sample();
      const last = samples.at(-1) as RssSample;
      log(`  ${last.seconds.toFixed(0).padStart(5)} s  RSS ${(last.rss / 1024 / 1024).toFixed(1)} MB`);
    }, every * 1000);
    const result = await runLoad({
      url: router.url,
      body,
      connections,
      durationSeconds: seconds,
      authorization,
      rate,
    }).finally(() => clearInterval(timer));
    sample();
    const cpuMsPerResponse = ((cpuSeconds(router.pid) - cpuBefore) * 1000) / Math.max(1, result.ok);
    // The process's clock (--trace-gc's ms since it started) at the end of the warm-up (the first tenth).
    const warmedUpAt = started - spawned + (seconds * 1000) / 10;
    const heap = postGcHeap(
      readFileSync(logPath, "utf8")
        .split("\n")
        .map(parseFullGc)
        .filter((gc) => gc !== undefined),
      { from: warmedUpAt },
    );
    const spread = rssSpread(samples);
    const drift = rssDrift(samples);
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    const latencies = [...result.latencies].sort((a, b) => a - b);
    const flat = Math.abs(drift) <= 0.1;
    const lines = [
      `## Router memory at a steady rate`,
      "",
      `Our router over the federation workload (TestQuery, a distinct valid JWT per request) at a steady ${rate} requests/s on ${connections} connections for ${options.steadyMinutes} min, its RSS sampled every ${every} s. Target: flat within ±10 % once warmed up (the first tenth of the run is left out): the drift (mean of the last fifth of the samples over the mean of the first fifth) says whether memory grows; the spread (the farthest sample from the median) also counts the garbage collector's sawtooth.`,
      "",
      `- Command: \`${context.command}\``,
      `- Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${context.machine}.`,
      `- Versions: ${context.versions}`,
      `- Router: ${routerSettings(undefined, tracesEndpoint !== undefined, options.routerEnv, options.routerHeapMb)}`,
      `- Served ${result.ok} responses (${(result.ok / result.seconds).toFixed(1)}/s), ${result.errors} errors${result.errors > 0 ? ` (${describeCauses(result.causes)})` : ""}, p50 ${formatMs(latencies[Math.floor(latencies.length / 2)] ?? NaN)} ms; the router used ${cpuMsPerResponse.toFixed(2)} ms of CPU per response.`,
      `- RSS once warmed up: median ${mb(spread.median)} MB, min ${mb(spread.min)}, max ${mb(spread.max)}, first ${mb(spread.first)}, last ${mb(spread.last)}; drift **${drift >= 0 ? "+" : ""}${(100 * drift).toFixed(1)} %** ${flat ? "(flat)" : "(NOT flat)"}, spread ±${(100 * spread.spread).toFixed(1)} %`,
      `- Heap after each full collection once warmed up (\`--trace-gc\`; what the router keeps, a leak raises it): ${heap.count} collections, mean ${heap.first.toFixed(1)} MB in the first fifth and ${heap.last.toFixed(1)} MB in the last (${Number.isFinite(heap.drift) ? `${heap.drift >= 0 ? "+" : ""}${(100 * heap.drift).toFixed(1)} %` : "–"}), min ${heap.min.toFixed(1)}, max ${heap.max.toFixed(1)}`,
      "",
      `RSS samples (s: MB): ${samples.map((s) => `${s.seconds.toFixed(0)}: ${mb(s.rss)}`).join(", ")}`,
    ];
    const text = lines.join("\n");
    log(`\n${text}\n`);
    return { sections: [{ id: "rss-steady", text }], failed: result.errors > 0 };
  } finally {
    await router.service.stop();
    for (const service of Object.values(subgraphs.services)) await service.stop();
  }
}
