import type { CheckReport, LimitMeasurement, OperationVerdict, Status, StepResult } from "./result.js";

const MARK: Record<Status, string> = { pass: "✓", warn: "!", fail: "✗", skip: "-" };
const WORD: Record<Status, string> = { pass: "pass", warn: "pass with warnings", fail: "FAIL", skip: "skipped" };
const EMOJI: Record<Status, string> = { pass: "✅", warn: "⚠️", fail: "❌", skip: "⏭️" };
const LEVEL_MARK = { error: "✗", warning: "!", info: "·" } as const;

const baseLine = (report: CheckReport) =>
  "label" in report.base ? `base: ${report.base.label}` : `base: none (${report.base.skipped})`;

function verdictLine(report: CheckReport): string {
  const failed = report.steps.filter((s) => s.status === "fail").map((s) => s.title);
  const warnings = report.steps.reduce((n, s) => n + s.findings.filter((f) => f.level === "warning").length, 0);
  if (failed.length > 0) return `FAIL: ${failed.join(", ")}`;
  return warnings > 0 ? `PASS with ${warnings} warning${warnings === 1 ? "" : "s"}` : "PASS";
}

/** How the cell names a limit; others are the limit's name without `max`. */
const LABEL: Readonly<Record<string, string>> = { maxCost: "doc cost", maxPlanCost: "plan cost" };
const ALWAYS_SHOWN = new Set(["maxDepth", "maxCost", "maxPlanCost"]);

/** The limit cell of an operation: `depth 4/12 · doc cost 31/1000 · plan cost 42/1000`. */
function limitsCell(limits: readonly LimitMeasurement[]): string {
  const shown = limits.filter((l) => l.exceeded || ALWAYS_SHOWN.has(l.limit));
  const label = (l: LimitMeasurement) => LABEL[l.limit] ?? l.limit.replace(/^max/, "").toLowerCase();
  return shown
    .map((l) => `${label(l)} ${l.measured ?? (l.exceeded ? ">" : "≤")}/${l.max}${l.exceeded ? " ✗" : ""}`)
    .join(" · ");
}

/** The report for a terminal: one line per step, then its findings indented. */
export function renderText(report: CheckReport): string {
  const lines = ["Schema check", `  ${baseLine(report)}`, ""];
  report.steps.forEach((step, index) => {
    lines.push(`${MARK[step.status]} ${index + 1}. ${step.title}: ${WORD[step.status]} — ${step.summary}`);
    for (const finding of step.findings) {
      lines.push(`    ${LEVEL_MARK[finding.level]} ${finding.message}`);
      for (const detail of finding.details ?? []) lines.push(`        ${detail}`);
    }
    if (step.id === "limits" && report.operations.length > 0)
      lines.push(...operationTable(report.operations).map((l) => `    ${l}`));
  });
  lines.push("", `Result: ${verdictLine(report)}`);
  return `${lines.join("\n")}\n`;
}

function operationTable(operations: readonly OperationVerdict[]): string[] {
  const rows = operations.map((op) => [op.name, op.kind, op.status, limitsCell(op.limits) || "not measured"]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join("  "));
}

const escape = (text: string) => text.replace(/\|/g, "\\|").replace(/</g, "&lt;");

/** The report as Markdown, for a CI comment. */
export function renderMarkdown(report: CheckReport): string {
  const overall: Status = report.ok ? (report.steps.some((s) => s.status === "warn") ? "warn" : "pass") : "fail";
  const out = [
    `## ${EMOJI[overall]} Schema check: ${verdictLine(report)}`,
    "",
    `_${escape(baseLine(report))}_`,
    "",
    "| | Step | Result |",
    "|---|---|---|",
  ];
  report.steps.forEach((s, i) => out.push(`| ${EMOJI[s.status]} | ${i + 1}. ${s.title} | ${escape(s.summary)} |`));
  for (const s of report.steps) out.push(...stepSection(s));
  if (report.operations.length > 0) {
    out.push("", "### Client operations", "", "| Operation | File | Status | Limits |", "|---|---|---|---|");
    for (const op of report.operations) {
      out.push(
        `| \`${op.name}\` (${op.kind}) | \`${op.file}\` | ${op.status === "fail" ? "❌" : op.status === "warn" ? "⚠️" : "✅"} | ${escape(limitsCell(op.limits) || "not measured")} |`,
      );
    }
    out.push("", `_Limits: ${escape(report.limitsSource)}_`);
  }
  return `${out.join("\n")}\n`;
}

function stepSection(s: StepResult): string[] {
  const shown = s.findings.filter((f) => f.level !== "info" || s.status !== "pass" || s.id === "contracts");
  if (shown.length === 0) return [];
  const lines = [
    "",
    `<details${s.status === "fail" ? " open" : ""}><summary><b>${escape(s.title)}</b>: ${escape(s.summary)}</summary>`,
    "",
  ];
  for (const f of shown) {
    lines.push(`- ${f.level === "error" ? "❌" : f.level === "warning" ? "⚠️" : "ℹ️"} ${escape(f.message)}`);
    for (const d of f.details ?? []) lines.push(`  - ${escape(d)}`);
  }
  lines.push("", "</details>");
  return lines;
}

/** The report for machines (`--json`). */
export const renderJson = (report: CheckReport): string => `${JSON.stringify(report, null, 2)}\n`;
