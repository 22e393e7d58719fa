// One scenario: the same answer from every target before the load, a warm-up, rounds interleaved A B C A B C…,
// the same answer again after the load, and one summary per target.
import type autocannon from "autocannon";
import { canonicalJson, firstDifference } from "./canonical.js";
import { runLoad } from "./load.js";
import { cpuSeconds, memory } from "./processes.js";
import { summarize, type GatewaySummary, type RoundResult } from "./stats.js";

export interface Target {
  name: string;
  url: string;
  /** The process whose CPU and memory are reported. */
  pid: number;
  /** More processes behind this target (a stack's subgraphs, database…) whose CPU per request is reported. */
  processes?: Readonly<Record<string, number>>;
}

export interface ScenarioPlan {
  body: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  /** A fresh Authorization header value per request; unset: no Authorization header. */
  authorization?: () => string;
  /** A session each connection sends in a loop instead of `body` (see LoadOptions.sequence); `body` is then only the answer check. */
  sequence?: (target: Target) => autocannon.Request[];
  /** The target each ratio divides by. */
  reference: string;
}

export interface AnswerCheck {
  identical: boolean;
  /** Size of the reference target's response body, in bytes. */
  bytes: number;
  /** What differs, per target that differs from the first. */
  differences: string[];
}

export interface ScenarioOutcome {
  summaries: GatewaySummary[];
  before: AnswerCheck;
  after: AnswerCheck;
  /** Per target with `processes`: milliseconds of CPU per ok response of each process, over the measured rounds. */
  cpuPerRequest: Record<string, Record<string, number>>;
  /** Per target with failures in its warm-up or measured rounds: their count by cause (see `causeOf`). */
  errorCauses: Record<string, Record<string, number>>;
}

/** Sends the operation once to every target and compares the answers as canonical JSON. */
export async function checkAnswers(
  targets: readonly Target[],
  body: string,
  authorization?: () => string,
): Promise<AnswerCheck> {
  const answers: { name: string; text: string; bytes: number }[] = [];
  for (const target of targets) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (authorization) headers.authorization = authorization();
    const response = await fetch(target.url, { method: "POST", headers, body });
    const raw = await response.text();
    let text: string;
    try {
      text = canonicalJson(JSON.parse(raw));
    } catch {
      text = `HTTP ${response.status}, not JSON: ${raw.slice(0, 200)}`;
    }
    answers.push({
      name: target.name,
      text: response.ok ? text : `HTTP ${response.status}: ${text.slice(0, 300)}`,
      bytes: Buffer.byteLength(raw),
    });
  }
  const [first] = answers;
  const differences: string[] = [];
  for (const answer of answers.slice(1)) {
    const difference = first ? firstDifference(first.text, answer.text) : undefined;
    if (difference) differences.push(`${answer.name} differs from ${first?.name} ${difference}`);
  }
  if (first?.text.includes('"errors"'))
    differences.push(`${first.name} answers with errors: ${first.text.slice(0, 300)}`);
  return { identical: differences.length === 0, bytes: first?.bytes ?? 0, differences };
}

export async function runScenario(
  plan: ScenarioPlan,
  targets: readonly Target[],
  log: (line: string) => void = console.log,
): Promise<ScenarioOutcome> {
  const before = await checkAnswers(targets, plan.body, plan.authorization);
  for (const difference of before.differences) log(`  ✗ before the load: ${difference}`);
  const load = (target: Target, seconds: number) =>
    runLoad({
      url: target.url,
      body: plan.body,
      connections: plan.connections,
      durationSeconds: seconds,
      ...(plan.authorization ? { authorization: plan.authorization } : {}),
      ...(plan.sequence ? { sequence: plan.sequence(target) } : {}),
    });
  const processCpu: Record<string, Record<string, number>> = {};
  const okResponses: Record<string, number> = {};
  const errorCauses: Record<string, Record<string, number>> = {};
  const countCauses = (target: Target, causes: Record<string, number>) => {
    for (const [cause, count] of Object.entries(causes)) {
      const own = (errorCauses[target.name] ??= {});
      own[cause] = (own[cause] ?? 0) + count;
    }
  };

  if (plan.warmupSeconds > 0) {
    for (const target of targets) {
      const warm = await load(target, plan.warmupSeconds);
      countCauses(target, warm.causes);
      log(`  warm-up ${target.name}: ${(warm.ok / warm.seconds).toFixed(1)} RPS, ${warm.errors} errors`);
      if (warm.firstError) log(`    first error: ${warm.firstError}`);
    }
  }
  const rounds: RoundResult[] = [];
  for (let round = 1; round <= plan.rounds; round += 1) {
    for (const target of targets) {
      const cpuBefore = cpuSeconds(target.pid);
      const othersBefore = Object.entries(target.processes ?? {}).map(
        ([name, pid]) => [name, pid, cpuSeconds(pid)] as const,
      );
      const result = await load(target, plan.durationSeconds);
      countCauses(target, result.causes);
      const cpu = cpuSeconds(target.pid) - cpuBefore;
      const own = (processCpu[target.name] ??= {});
      for (const [name, pid, before] of othersBefore) own[name] = (own[name] ?? 0) + cpuSeconds(pid) - before;
      okResponses[target.name] = (okResponses[target.name] ?? 0) + result.ok;
      rounds.push({
        gateway: target.name,
        ok: result.ok,
        errors: result.errors,
        seconds: result.seconds,
        latencies: result.latencies,
        cpuSeconds: cpu,
      });
      log(
        `  round ${round}/${plan.rounds} ${target.name}: ${(result.ok / result.seconds).toFixed(1)} RPS, ${result.errors} errors, CPU ${((100 * cpu) / result.seconds).toFixed(0)} %`,
      );
      if (result.firstError) log(`    first error: ${result.firstError}`);
    }
  }
  const after = await checkAnswers(targets, plan.body, plan.authorization);
  for (const difference of after.differences) log(`  ✗ after the load: ${difference}`);
  const peakRss = Object.fromEntries(targets.map((target) => [target.name, memory(target.pid).peakRss]));
  const cpuPerRequest = Object.fromEntries(
    Object.entries(processCpu)
      .filter(([, byProcess]) => Object.keys(byProcess).length > 0)
      .map(([name, byProcess]) => [
        name,
        Object.fromEntries(
          Object.entries(byProcess).map(([process, seconds]) => [
            process,
            (1000 * seconds) / Math.max(1, okResponses[name] ?? 0),
          ]),
        ),
      ]),
  );
  for (const [name, causes] of Object.entries(errorCauses))
    log(`  failures of ${name} (warm-up included): ${describeCauses(causes)}`);
  return {
    summaries: summarize(rounds, { reference: plan.reference, peakRss }),
    before,
    after,
    cpuPerRequest,
    errorCauses,
  };
}

/** `HTTP 200 SUBGRAPH_TIMEOUT × 20, HTTP 503 × 2`, most frequent first. */
export function describeCauses(causes: Record<string, number>): string {
  return Object.entries(causes)
    .sort((a, b) => b[1] - a[1])
    .map(([cause, count]) => `${cause} × ${count}`)
    .join(", ");
}
