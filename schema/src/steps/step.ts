import { statusOf, type Finding, type StepId, type StepResult } from "../result.js";

const TITLES: Record<StepId, string> = {
  composition: "Composition",
  freshness: "Freshness of committed schemas",
  "breaking-changes": "Breaking changes (API schema)",
  operations: "Client operations (API schema)",
  limits: "Cost and limits of client operations",
  contracts: "Contracts",
  hygiene: "Subgraph hygiene",
};

/** A step that ran: its status follows from its findings. */
export const step = (id: StepId, findings: Finding[], summary: string): StepResult => ({
  id,
  title: TITLES[id],
  status: statusOf(findings),
  summary,
  findings,
});

/** A step that could not run, and why. */
export const skipped = (id: StepId, reason: string): StepResult => ({
  id,
  title: TITLES[id],
  status: "skip",
  summary: reason,
  findings: [],
});

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
