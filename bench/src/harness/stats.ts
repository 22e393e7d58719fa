// Figures of a benchmark run: per-round measurements in, one summary per gateway out (pure; unit-tested).

/** One measured round of one gateway. */
export interface RoundResult {
  gateway: string;
  /** 2xx responses without GraphQL errors. */
  ok: number;
  /** Transport errors, timeouts, non-2xx responses and responses carrying GraphQL errors. */
  errors: number;
  /** Wall time of the round. */
  seconds: number;
  /** Latency of every response, in milliseconds. */
  latencies: ArrayLike<number>;
  /** CPU seconds the gateway process used during the round. */
  cpuSeconds: number;
}

export interface GatewaySummary {
  gateway: string;
  /** Median over the rounds of each round's ok responses per second. */
  rps: number;
  /** Each round's RPS, in round order. */
  roundRps: number[];
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** CPU used over the measured rounds, 100 = one core busy. */
  cpuPercent: number;
  /**
   * Milliseconds of gateway CPU per ok response over the measured rounds: its cost per request, which a busy
   * shared machine disturbs far less than RPS (a starved process serves fewer requests but each costs the same).
   */
  cpuMsPerRequest: number;
  /** Peak resident set size of the gateway process, in bytes (NaN when unknown). */
  peakRss: number;
  /** `rps / rps of the reference gateway` of the same run (NaN without one). */
  ratio: number;
  /** `reference's cpuMsPerRequest / cpuMsPerRequest`: the throughput ratio if each had a core of its own. */
  cpuRatio: number;
}

/** Nearest-rank percentile (0 < p ≤ 100) of ascending-sorted values; NaN for none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * One summary per gateway, in first-seen order: RPS is the median round (robust to one noisy round on a shared
 * machine), latency percentiles pool every response of every round, and `ratio` divides by the reference's RPS.
 */
export function summarize(
  rounds: readonly RoundResult[],
  options: { reference?: string; peakRss?: Readonly<Record<string, number>> } = {},
): GatewaySummary[] {
  const byGateway = new Map<string, RoundResult[]>();
  for (const round of rounds) byGateway.set(round.gateway, [...(byGateway.get(round.gateway) ?? []), round]);
  const summaries = [...byGateway].map(([gateway, own]): GatewaySummary => {
    const roundRps = own.map((round) => (round.seconds > 0 ? round.ok / round.seconds : 0));
    const latencies = Float64Array.from(own.flatMap((round) => Array.from(round.latencies))).sort();
    const seconds = own.reduce((sum, round) => sum + round.seconds, 0);
    const cpuSeconds = own.reduce((sum, round) => sum + round.cpuSeconds, 0);
    const ok = own.reduce((sum, round) => sum + round.ok, 0);
    return {
      gateway,
      rps: median(roundRps),
      roundRps,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      errors: own.reduce((sum, round) => sum + round.errors, 0),
      cpuPercent: seconds > 0 ? (100 * cpuSeconds) / seconds : NaN,
      cpuMsPerRequest: ok > 0 ? (1000 * cpuSeconds) / ok : NaN,
      peakRss: options.peakRss?.[gateway] ?? NaN,
      ratio: NaN,
      cpuRatio: NaN,
    };
  });
  const reference = summaries.find((summary) => summary.gateway === options.reference);
  for (const summary of summaries) {
    summary.ratio = reference && reference.rps > 0 ? summary.rps / reference.rps : NaN;
    summary.cpuRatio = reference ? reference.cpuMsPerRequest / summary.cpuMsPerRequest : NaN;
  }
  return summaries;
}
