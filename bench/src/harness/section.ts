// One BENCHMARKS.md section: what was measured, how, on what, and the table.
import { describeCauses, type ScenarioOutcome } from "./scenario.js";
import { renderTable, type TableOptions } from "./table.js";

export interface RunContext {
  command: string;
  machine: string;
  versions: string;
}

export interface SectionInput {
  title: string;
  description: string;
  /** Connections, warm-up, rounds. */
  load: string;
  context: RunContext;
  /** How our router ran (env, protections). */
  router: string;
  outcome: ScenarioOutcome;
  table: string;
  notes?: string[];
}

export function renderSection({
  title,
  description,
  load,
  context,
  router,
  outcome,
  table,
  notes = [],
}: SectionInput): string {
  const answers =
    outcome.before.identical && outcome.after.identical
      ? `byte-identical JSON (keys sorted) from every target before and after the load (${(outcome.before.bytes / 1024).toFixed(1)} KB)`
      : `**NOT identical**: ${[...outcome.before.differences, ...outcome.after.differences].join("; ")}`;
  const cpu = Object.entries(outcome.cpuPerRequest).map(
    ([target, byProcess]) =>
      `- CPU per response, ${target}: ${Object.entries(byProcess)
        .map(([process, ms]) => `${process} ${ms.toFixed(2)} ms`)
        .join(", ")}`,
  );
  const failures = Object.entries(outcome.errorCauses).map(
    ([target, causes]) => `- Failures of ${target} by cause (warm-up included): ${describeCauses(causes)}`,
  );
  return [
    `## ${title}`,
    "",
    description,
    "",
    `- Command: \`${context.command}\` (${load})`,
    `- Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${context.machine}; the machine is shared, so compare the ratios of one run, not absolute figures.`,
    `- Versions: ${context.versions}`,
    `- Router: ${router}`,
    `- Answers: ${answers}`,
    ...notes.map((note) => `- ${note}`),
    "",
    table,
    "",
    ...(cpu.length > 0 || failures.length > 0 ? [...cpu, ...failures, ""] : []),
    "RPS is the median round; latency percentiles pool every response of every round; errors count transport errors, non-2xx and responses with GraphQL errors; CPU % is the gateway process over its measured rounds (100 = one core) and CPU ms/req its CPU time per ok response, less disturbed by other tenants of a shared machine than RPS (`by CPU`: the reference's CPU ms/req over the row's, the throughput ratio if each had a core to itself); peak RSS is the process's high-water mark.",
  ].join("\n");
}

/**
 * The section of one scenario's outcome, with its table; `failed` when the targets' answers differ (before or after
 * the load) or a target had errors.
 */
export function scenarioSection(
  outcome: ScenarioOutcome,
  input: Omit<SectionInput, "outcome" | "table"> & { table: TableOptions },
): { text: string; failed: boolean } {
  const failed =
    !outcome.before.identical || !outcome.after.identical || outcome.summaries.some((summary) => summary.errors > 0);
  const text = renderSection({ ...input, outcome, table: renderTable(outcome.summaries, input.table) });
  return { text, failed };
}
