import { readFileSync } from "node:fs";
// The benchmark package's --trace-gc reader (bench/ is its own npm package; that file has only Node imports).
import { postGcHeap, type FullGc } from "../../../bench/src/harness/gc.js";
import { HEAP_TUNING_FLAGS } from "@commerce/start";
import { startFaultGraph, type FaultGraph } from "./faultGraph.js";
import { percentile, runMix, type Outcome, type Step } from "./storefront.js";

/** The soak's bound on each service's resident memory; the test fails above it and the report states it. */
export const RSS_BOUND_MIB = 400;

export interface SoakReport {
  seconds: number;
  shoppers: number;
  visits: number;
  requests: number;
  failures: Outcome[];
  /** Per step: count and latency percentiles (ms). */
  steps: Record<string, { count: number; p50: number; p95: number; p99: number; max: number }>;
  /** Per service: resident memory (MiB) after warm-up, at its peak and at the end. */
  rss: Record<string, { start: number; peak: number; end: number }>;
  /** The router's V8 heap in use (MiB, from its /metrics) after warm-up and at the end, garbage included. */
  routerHeap: { start: number; end: number };
  /**
   * Per service, when the soak started the graph itself (every service under `--trace-gc`): the heap after each full
   * collection once warmed up (MB, V8's figures), the mean of the first and of the last fifth, and its range. What
   * a service keeps: a leak raises it; RSS also counts garbage waiting for the next full collection.
   */
  postGcHeap?: Record<string, ReturnType<typeof postGcHeap>>;
  /** The versions of the Postgres and Redis the graph ran on. */
  versions: { postgres: string; redis: string };
}

/** The router's `nodejs_heap_size_used_bytes` in MiB, or NaN when /metrics does not answer. */
async function routerHeapMiB(routerUrl: string): Promise<number> {
  try {
    const text = await (await fetch(new URL("/metrics", routerUrl))).text();
    const bytes = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)$/m.exec(text)?.[1];
    return bytes === undefined ? Number.NaN : Number(bytes) / 1024 / 1024;
  } catch {
    return Number.NaN;
  }
}

/** A process's resident set size in MiB (Linux), or NaN once it is gone. */
function rssMiB(pid: number): number {
  try {
    const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib === undefined ? Number.NaN : Number(kib) / 1024;
  } catch {
    return Number.NaN;
  }
}

export interface SoakOptions {
  seconds: number;
  /** Concurrent visit loops. @default 4 */
  shoppers?: number;
  /** The graph to soak (left running); else one is started and stopped. */
  graph?: FaultGraph;
  onProgress?: (line: string) => void;
}

/**
 * The storefront mix (browse, product detail with reviews, log in, place an order, order history) through the
 * router of the whole graph as processes, for `seconds`, sampling every service's RSS each second.
 */
export async function runSoak({ seconds, shoppers = 4, graph: given, onProgress }: SoakOptions): Promise<SoakReport> {
  const names = ["router", "accounts", "catalog", "orders", "loyalty", "reviews"];
  // Full collections, by milliseconds since the mix started (before it: negative).
  const collections: Record<string, FullGc[]> = Object.fromEntries(names.map((name) => [name, []]));
  let started = Number.POSITIVE_INFINITY;
  const graph =
    given ??
    (await startFaultGraph({
      onFullGc: (name, gc) => collections[name]?.push({ ...gc, ms: Date.now() - started }),
    }));
  try {
    const pids = Object.fromEntries(names.map((name) => [name, graph.processes.service(name).child.pid as number]));
    const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
    const stop = new AbortController();
    const mix = runMix(graph.url, { shoppers, signal: stop.signal });
    started = Date.now();
    // After the same warm-up as the RSS figures (a fifth of the run).
    let heapStart = Number.NaN;
    const heapTimer = setTimeout(
      () => void routerHeapMiB(graph.url).then((mib) => (heapStart = mib)),
      (seconds * 1000) / 5,
    );
    const sampler = setInterval(() => {
      for (const name of names) samples[name]?.push(rssMiB(pids[name] as number));
      const elapsed = Math.round((Date.now() - started) / 1000);
      if (elapsed % 30 === 0) onProgress?.(`${elapsed} s: router RSS ${Math.round(samples.router?.at(-1) ?? 0)} MiB`);
    }, 1000);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const heapEnd = await routerHeapMiB(graph.url);
    stop.abort();
    const result = await mix;
    clearInterval(sampler);
    clearTimeout(heapTimer);

    const steps: SoakReport["steps"] = {};
    const byStep = new Map<Step, number[]>();
    for (const outcome of result.outcomes) {
      const times = byStep.get(outcome.step) ?? [];
      times.push(outcome.ms);
      byStep.set(outcome.step, times);
    }
    for (const [step, times] of byStep) {
      steps[step] = {
        count: times.length,
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        p99: percentile(times, 99),
        max: Math.max(...times),
      };
    }
    const rss: SoakReport["rss"] = {};
    for (const name of names) {
      const values = (samples[name] ?? []).filter((v) => !Number.isNaN(v));
      // After a warm-up of a fifth of the run (JIT, pools and caches filling).
      const warm = values.slice(Math.floor(values.length / 5));
      rss[name] = { start: warm[0] ?? Number.NaN, peak: Math.max(...warm), end: warm.at(-1) ?? Number.NaN };
    }
    const [{ server_version: postgres }] = await graph.db.$queryRaw<[{ server_version: string }]>`SHOW server_version`;
    const redis = /redis_version:(\S+)/.exec(await graph.redisClient().info("server"))?.[1] ?? "?";
    return {
      seconds,
      shoppers,
      visits: result.visits,
      requests: result.outcomes.length,
      failures: result.failures,
      steps,
      rss,
      routerHeap: { start: heapStart, end: heapEnd },
      ...(given
        ? {}
        : {
            postGcHeap: Object.fromEntries(
              names.map((name) => [name, postGcHeap(collections[name] ?? [], { from: (seconds * 1000) / 5 })]),
            ),
          }),
      versions: { postgres, redis },
    };
  } finally {
    if (!given) await graph.stop();
  }
}

/** The report as Markdown (the soak's section of BENCHMARKS.md). */
export function soakMarkdown(
  report: SoakReport,
  {
    command,
    date,
    versions,
    machine,
    heap,
  }: { command: string; date: string; versions: string; machine?: string; heap?: string },
): string {
  const over = Object.entries(report.rss).filter(([, r]) => r.peak >= RSS_BOUND_MIB);
  const round = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 1 : 0) : "–");
  const lines = [
    "## Soak: the storefront mix through the router",
    "",
    `\`${command}\` — ${date}; ${versions}.`,
    ...(machine ? ["", `Machine: ${machine}.`] : []),
    "",
    `The whole graph as processes (production mode) over a private Postgres and Redis; ${report.shoppers} concurrent shoppers, each looping`,
    "browse → product detail → reviews → log in → place order → order history, for",
    `${report.seconds} s: ${report.visits} visits, ${report.requests} requests, **${report.failures.length} errors**`,
    `(${round(report.requests / report.seconds)} requests/s on a shared 2-core machine). Bound: every service's RSS stays under ${RSS_BOUND_MIB} MiB.`,
    ...(heap
      ? [
          "",
          `Heap caps (\`--max-old-space-size\`, with \`${HEAP_TUNING_FLAGS.join(" ")}\`, as \`npm start\` sets them): ${heap}.`,
        ]
      : []),
    "",
    "| Step | Requests | p50 ms | p95 ms | p99 ms | max ms |",
    "|---|---:|---:|---:|---:|---:|",
    ...Object.entries(report.steps).map(
      ([step, s]) => `| ${step} | ${s.count} | ${round(s.p50)} | ${round(s.p95)} | ${round(s.p99)} | ${round(s.max)} |`,
    ),
    "",
    "| Service | RSS after warm-up (MiB) | peak | end |",
    "|---|---:|---:|---:|",
    ...Object.entries(report.rss).map(
      ([name, r]) => `| ${name} | ${round(r.start)} | ${round(r.peak)} | ${round(r.end)} |`,
    ),
    "",
    ...(report.postGcHeap
      ? [
          "",
          "Heap after each full collection once warmed up (`--trace-gc`, MB): what each service keeps; RSS also counts the",
          "garbage waiting for the next one.",
          "",
          "| Service | full collections | first fifth | last fifth | min | max |",
          "|---|---:|---:|---:|---:|---:|",
          ...Object.entries(report.postGcHeap).map(
            ([name, h]) =>
              `| ${name} | ${h.count} | ${round(h.first)} | ${round(h.last)} | ${round(h.min)} | ${round(h.max)} |`,
          ),
        ]
      : []),
    "",
    `Router V8 heap in use (its /metrics, garbage included): ${round(report.routerHeap.start)} MiB after warm-up, ${round(report.routerHeap.end)} MiB at the end.`,
    "",
    over.length === 0 && report.failures.length === 0
      ? `Result: pass (no error; every service under ${RSS_BOUND_MIB} MiB).`
      : `Result: **fail** — ${[report.failures.length > 0 ? `${report.failures.length} failed requests` : "", ...over.map(([name, r]) => `${name} RSS peaked at ${round(r.peak)} MiB`)].filter(Boolean).join("; ")}.`,
  ];
  return lines.join("\n");
}
