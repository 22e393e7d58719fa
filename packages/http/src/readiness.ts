/** One readiness probe: resolves true when the dependency answers. */
export type ReadinessCheck = () => Promise<boolean>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

/** One short line (driver errors, such as Prisma's, span several). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split("\n").map((line) => line.trim()).filter(Boolean);
  return (lines.at(-1) ?? "failed").slice(0, 200);
}

/**
 * Runs every check at once, each bounded by `timeoutMs`; ready when all pass. A check that
 * throws or times out fails with the reason (never a stack trace) in `error`.
 */
export async function checkReadiness(checks: Readonly<Record<string, ReadinessCheck>>, { timeoutMs = 2000 } = {}): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const ok = await Promise.race([check(), timeout]);
        return [name, { ok, ms: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        return [name, { ok: false, ms: Math.round(performance.now() - started), error: reasonOf(error) }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const report: ReadinessReport["checks"] = Object.fromEntries(entries);
  return { ready: entries.every(([, result]) => result.ok), checks: report };
}
