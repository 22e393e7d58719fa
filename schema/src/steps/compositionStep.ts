import { compose, type CompositionResult, type SubgraphSource } from "../compose.js";
import type { Finding, StepResult } from "../result.js";
import { plural, step } from "./step.js";

const firstLine = (text: string) => (text.split("\n", 1)[0] ?? text).replace(/:$/, "");

/** Step 1: composes the subgraphs; its problems are errors, its hints one info finding. */
export function compositionStep(subgraphs: readonly SubgraphSource[]): {
  step: StepResult;
  composed: CompositionResult;
} {
  const composed = compose(subgraphs);
  const names = subgraphs.map((s) => s.name).join(", ");
  if (!composed.ok) {
    const findings = composed.problems.map((p): Finding => ({
      level: "error",
      message: `${p.rule}${p.coordinates.length ? ` at ${p.coordinates.join(", ")}` : ""}${p.subgraphs.length ? ` (subgraph ${p.subgraphs.join(", ")})` : ""}`,
      details: [
        p.message,
        ...(p.ruleDescription ? [`rule ${p.rule}: ${p.ruleDescription}`] : []),
        ...p.locations.map((l) => `at ${l}`),
      ],
    }));
    return { step: step("composition", findings, `${plural(findings.length, "error")} composing ${names}`), composed };
  }
  const hints =
    composed.hints.length > 0
      ? [
          {
            level: "info" as const,
            message: plural(composed.hints.length, "composition hint"),
            details: composed.hints.map(firstLine),
          },
        ]
      : [];
  return { step: step("composition", hints, `composed ${names}`), composed };
}
