// Markdown tables of benchmark summaries (pure; unit-tested).
import type { GatewaySummary } from "./stats.js";

export interface TableOptions {
  /** Name of the gateway the ratio column divides by, for its header. */
  reference: string;
  /** Adds "p50 over <name>": each row's p50 minus that row's p50 (the router overhead over a direct call). */
  overheadOver?: string;
}

export function formatRps(rps: number): string {
  if (!Number.isFinite(rps)) return "–";
  return rps >= 100 ? rps.toFixed(0) : rps.toFixed(1);
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "–";
}

export function renderTable(summaries: readonly GatewaySummary[], { reference, overheadOver }: TableOptions): string {
  const base = overheadOver ? summaries.find((summary) => summary.gateway === overheadOver) : undefined;
  const header = [
    "Gateway",
    "RPS",
    `× ${reference}`,
    "p50 ms",
    "p95 ms",
    "p99 ms",
    ...(base ? [`p50 over ${base.gateway} ms`] : []),
    "errors",
    "CPU %",
    "CPU ms/req",
    `× ${reference} by CPU`,
    "peak RSS MB",
    "RPS per round",
  ];
  const rows = summaries.map((summary) => [
    summary.gateway,
    formatRps(summary.rps),
    formatRatio(summary.ratio),
    formatMs(summary.p50),
    formatMs(summary.p95),
    formatMs(summary.p99),
    ...(base ? [summary === base ? "–" : formatMs(summary.p50 - base.p50)] : []),
    String(summary.errors),
    Number.isFinite(summary.cpuPercent) ? summary.cpuPercent.toFixed(0) : "–",
    formatMs(summary.cpuMsPerRequest),
    formatRatio(summary.cpuRatio),
    Number.isFinite(summary.peakRss) ? (summary.peakRss / 1024 / 1024).toFixed(0) : "–",
    summary.roundRps.map(formatRps).join(" / "),
  ]);
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const align = header.map((_, index) => (index === 0 ? "---" : "---:"));
  return [line(header), line(align), ...rows.map(line)].join("\n");
}
