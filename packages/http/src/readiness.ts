/**
 * One readiness probe: resolves true when the dependency answers, or a result that can also say "degraded": the
 * service still serves (ready) but a dependency is failing (e.g. a subgraph whose circuit breaker is open).
 */
export type ReadinessCheck = () => Promise<boolean | ReadinessResult>;

export interface ReadinessResult {
  ok: boolean;
  /** Serving, with this dependency failing: reported, but the service stays ready. */
  degraded?: boolean;
  /** A short, safe description (`circuit open since … (SUBGRAPH_UNAVAILABLE: connection refused)`). */
  detail?: string;
}

export interface ReadinessReport {
  ready: boolean;
  /** Ready, with at least one degraded dependency. */
  degraded: boolean;
  checks: Record<string, { ok: boolean; ms: number; error?: string; degraded?: true; detail?: string }>;
}

/** One short line (driver errors, such as Prisma's, span several). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return (lines.at(-1) ?? "failed").slice(0, 200);
}

/**
 * Runs every check at once, each bounded by `timeoutMs`; ready when all pass, degraded when ready and a check
 * reports itself degraded. A check that throws or times out fails with the reason (never a stack trace) in `error`.
 */
export async function checkReadiness(
  checks: Readonly<Record<string, ReadinessCheck>>,
  { timeoutMs = 2000 } = {},
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const result = await Promise.race([check(), timeout]);
        const ms = Math.round(performance.now() - started);
        if (typeof result === "boolean") return [name, { ok: result, ms }] as const;
        return [
          name,
          {
            ok: result.ok,
            ms,
            ...(result.degraded ? { degraded: true as const } : {}),
            ...(result.detail ? { detail: result.detail } : {}),
          },
        ] as const;
      } catch (error) {
        return [name, { ok: false, ms: Math.round(performance.now() - started), error: reasonOf(error) }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const report: ReadinessReport["checks"] = Object.fromEntries(entries);
  const ready = entries.every(([, result]) => result.ok);
  return {
    ready,
    degraded: ready && entries.some(([, result]) => "degraded" in result && result.degraded === true),
    checks: report,
  };
}
