import { readFile } from "node:fs/promises";
import { buildSchema, type GraphQLSchema } from "graphql";
import { findAllowed, loadAllowlist, type AllowedChange, type LoadedAllowlist } from "./allowlist.js";
import {
  CONTRACTS,
  apiSchemaOf,
  contractPath,
  contractSchemaOf,
  type ContractDefinition,
  type SchemaBuild,
} from "./apiSchema.js";
import { readBaseFile, resolveGitBase, type Base } from "./base.js";
import { checkOperations, classifyChanges, describeChange } from "./changes.js";
import { compose, displayPath, loadSubgraphs, supergraphPath, type SubgraphSource } from "./compose.js";
import { checkBoundaryFields, loadBoundaryAllowlist, type LoadedBoundaryAllowlist } from "./boundary.js";
import { checkSubgraphHygiene } from "./hygiene.js";
import { createRouterLimits, type OperationLimitsProvider, type RouterLimitsOptions } from "./limits.js";
import { parseOperations, readOperationFiles, validateOperation, type LoadedOperations } from "./operations.js";
import {
  statusOf,
  type CheckReport,
  type ClassifiedChange,
  type Finding,
  type OperationVerdict,
  type StepId,
  type StepResult,
} from "./result.js";

/** Everything the check reads. The CLI gathers it from the repository; tests build it from fixtures. */
export interface CheckInput {
  subgraphs: readonly SubgraphSource[];
  /** The committed schema/supergraph.graphql, or null when it is missing. */
  committedSupergraph: string | null;
  /** The committed contract schemas by contract name (null when missing). */
  committedContracts: Readonly<Record<string, string | null>>;
  /** What breaking changes are measured against. */
  base: Base;
  operations: LoadedOperations;
  allowlist: LoadedAllowlist;
  /** Non-null boundary fields accepted with a reason (schema/allowed-boundary-fields.json). @default none */
  boundaryAllowlist?: LoadedBoundaryAllowlist;
  limits: OperationLimitsProvider;
  /** @default CONTRACTS */
  contracts?: readonly ContractDefinition[];
}

export const COMPOSE_COMMAND = "npm run schema:compose";

const TITLES: Record<StepId, string> = {
  composition: "Composition",
  freshness: "Freshness of committed schemas",
  "breaking-changes": "Breaking changes (API schema)",
  operations: "Client operations (API schema)",
  limits: "Cost and limits of client operations",
  contracts: "Contracts",
  hygiene: "Subgraph hygiene",
};

const step = (id: StepId, findings: Finding[], summary: string): StepResult => ({
  id,
  title: TITLES[id],
  status: statusOf(findings),
  summary,
  findings,
});
const skipped = (id: StepId, reason: string): StepResult => ({
  id,
  title: TITLES[id],
  status: "skip",
  summary: reason,
  findings: [],
});
const firstLine = (text: string) => (text.split("\n", 1)[0] ?? text).replace(/:$/, "");
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Runs every step of `npm run schema:check` over `input`. Pure apart from the limits provider; never throws on bad input. */
export async function runSchemaCheck(input: CheckInput): Promise<CheckReport> {
  const contracts = input.contracts ?? CONTRACTS;
  const steps: StepResult[] = [];
  const changes: ClassifiedChange[] = [];
  let verdicts: OperationVerdict[] = [];
  const hygieneFindings = [
    ...input.subgraphs.flatMap(checkSubgraphHygiene),
    ...checkBoundaryFields(input.subgraphs, input.boundaryAllowlist ?? { entries: [], problems: [] }),
  ];
  const hygiene = step("hygiene", hygieneFindings, `${plural(input.subgraphs.length, "subgraph")} checked`);
  const baseInfo = input.base.kind === "sdl" ? { label: input.base.label } : { skipped: input.base.reason };

  // 1. Composition
  const composed = compose(input.subgraphs);
  const names = input.subgraphs.map((s) => s.name).join(", ");
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
    steps.push(step("composition", findings, `${plural(findings.length, "error")} composing ${names}`));
    const reason = "composition failed";
    steps.push(
      skipped("freshness", reason),
      skipped("breaking-changes", reason),
      skipped("operations", reason),
      skipped("limits", reason),
    );
    steps.push(skipped("contracts", reason), hygiene);
    return { ok: false, base: baseInfo, steps, changes, operations: verdicts, limitsSource: input.limits.source };
  }
  const supergraphSdl = composed.supergraphSdl;
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
  steps.push(step("composition", hints, `composed ${names}`));

  const api = apiSchemaOf(supergraphSdl);
  const contractBuilds = new Map(contracts.map((c) => [c.name, contractSchemaOf(supergraphSdl, c)] as const));

  // 2. Freshness
  const fresh: Finding[] = [];
  if (input.committedSupergraph === null)
    fresh.push({
      level: "error",
      message: `${displayPath(supergraphPath)} is missing`,
      details: [`run \`${COMPOSE_COMMAND}\` and commit it`],
    });
  else if (input.committedSupergraph.trimEnd() !== supergraphSdl.trimEnd()) {
    fresh.push({
      level: "error",
      message: `${displayPath(supergraphPath)} is stale: it differs from a fresh composition`,
      details: [`run \`${COMPOSE_COMMAND}\` and commit it`],
    });
  }
  for (const contract of contracts) {
    const built = contractBuilds.get(contract.name);
    if (!built?.ok) continue; // the contracts step reports why it does not build
    const committed = input.committedContracts[contract.name] ?? null;
    const file = displayPath(contractPath(contract.name));
    if (committed === null)
      fresh.push({
        level: "error",
        message: `${file} is missing`,
        details: [`run \`${COMPOSE_COMMAND}\` and commit it`],
      });
    else if (committed.trimEnd() !== built.sdl.trimEnd())
      fresh.push({
        level: "error",
        message: `${file} is stale`,
        details: [`run \`${COMPOSE_COMMAND}\` and commit it`],
      });
  }
  steps.push(
    step(
      "freshness",
      fresh,
      fresh.length === 0
        ? "supergraph and contract schemas are up to date"
        : `${plural(fresh.length, "file")} out of date`,
    ),
  );

  if (!api.ok) {
    const reason = "the API schema does not build";
    steps.push(
      step(
        "breaking-changes",
        api.errors.map((m) => ({ level: "error", message: m })),
        reason,
      ),
    );
    steps.push(skipped("operations", reason), skipped("limits", reason), skipped("contracts", reason), hygiene);
    return { ok: false, base: baseInfo, steps, changes, operations: verdicts, limitsSource: input.limits.source };
  }

  // 3 + 4. Breaking changes on the API schema, then the usage-aware operation checks that judge them.
  const base = baseSchemas(input.base, contracts);
  const allowlist = input.allowlist.entries;
  const apiChanges = base.api?.ok ? await classifyChanges("api", base.api.schema, api.schema, allowlist) : [];
  changes.push(...apiChanges);
  const apiCheck = checkOperations({
    schemaName: "api",
    base: base.api?.ok ? base.api.schema : undefined,
    next: api.schema,
    changes: apiChanges,
    operations: input.operations.operations,
    scope: "all",
  });
  verdicts = apiCheck.verdicts;
  if (!base.api) steps.push(skipped("breaking-changes", `no base, breaking-change step skipped: ${base.reason}`));
  else if (!base.api.ok)
    steps.push(skipped("breaking-changes", `the base schema does not build: ${base.api.errors.join("; ")}`));
  else steps.push(step("breaking-changes", changeFindings(apiChanges), summarizeChanges(apiChanges)));

  const opFindings: Finding[] = [
    ...input.operations.problems.map((message): Finding => ({ level: "error", message })),
    ...input.allowlist.problems.map((message): Finding => ({ level: "error", message })),
    ...apiCheck.findings,
  ];

  // 6. Contracts (before the summary of 4: unused allowlist entries need every schema's changes).
  const contractFindings: Finding[] = [];
  const contractSummaries: string[] = [];
  for (const contract of contracts) {
    const built = contractBuilds.get(contract.name);
    if (!built?.ok) {
      contractFindings.push({
        level: "error",
        message: `contract "${contract.name}" does not build`,
        details: built?.errors ?? [],
      });
      continue;
    }
    const baseContract = base.contracts.get(contract.name);
    const contractChanges = baseContract?.ok
      ? await classifyChanges(contract.name, baseContract.schema, built.schema, allowlist)
      : [];
    changes.push(...contractChanges);
    // What the API schema's steps already report (the same change, an operation already broken) is not repeated.
    const brokenOnApi = new Set(verdicts.filter((v) => v.status === "fail").map((v) => v.name));
    const result = checkOperations({
      schemaName: contract.name,
      base: baseContract?.ok ? baseContract.schema : undefined,
      next: built.schema,
      changes: contractChanges,
      operations: input.operations.operations.filter((op) => !brokenOnApi.has(op.name)),
      scope: "base-clients",
    });
    const own = contractChanges.filter(
      (c) => !apiChanges.some((a) => a.type === c.type && a.path === c.path && a.message === c.message),
    );
    contractFindings.push(...changeFindings(own, `${contract.name}: `), ...result.findings);
    const clients = input.operations.operations
      .filter((op) => validateOperation(built.schema, op).length === 0)
      .map((op) => op.name);
    contractFindings.push({
      level: "info",
      message: `${contract.name}: written to ${displayPath(contractPath(contract.name))}, excluding @tag(name: ${contract.excludeTags.map((t) => `"${t}"`).join(" | ")}); ${clients.length} of ${input.operations.operations.length} client operations run against it`,
      ...(clients.length < input.operations.operations.length
        ? {
            details: [
              `not in the contract: ${input.operations.operations
                .filter((op) => !clients.includes(op.name))
                .map((op) => op.name)
                .join(", ")}`,
            ],
          }
        : {}),
    });
    const diffNote =
      baseContract === undefined
        ? `no base (${base.reason})`
        : !baseContract.ok
          ? "base contract does not build"
          : own.length === 0
            ? "no changes beyond the API schema's"
            : `${summarizeChanges(own)} beyond the API schema's`;
    contractSummaries.push(`${contract.name}: ${diffNote}`);
  }

  for (const entry of unusedAllowlistEntries(allowlist, changes)) {
    opFindings.push({
      level: "warning",
      message: `allowlist entry ${entry.path}${entry.type ? ` (${entry.type})` : ""} matches no change: remove it`,
      details: [entry.reason],
    });
  }
  const failing = verdicts.filter((v) => v.status === "fail").length;
  const opSummary = `${plural(verdicts.length, "operation")}: ${verdicts.length - failing} valid${failing ? `, ${failing} broken` : ""}${base.api?.ok ? "" : " (validated only: no base)"}`;
  steps.push(step("operations", opFindings, opSummary));

  // 5. Cost and limits, on operations that are valid (the router validates before it costs).
  steps.push(limitsStep(input.limits, verdicts, input, { apiSchema: api.schema, supergraphSdl }));
  steps.push(step("contracts", contractFindings, contractSummaries.join("; ") || "no contracts"));
  steps.push(hygiene);
  return {
    ok: steps.every((s) => s.status !== "fail"),
    base: baseInfo,
    steps,
    changes,
    operations: verdicts,
    limitsSource: input.limits.source,
  };
}

function limitsStep(
  limits: OperationLimitsProvider,
  verdicts: OperationVerdict[],
  input: CheckInput,
  target: Parameters<OperationLimitsProvider["measure"]>[1],
): StepResult {
  const findings: Finding[] = [];
  let measured = 0;
  for (const verdict of verdicts) {
    if (verdict.errors.length > 0) continue;
    const operation = input.operations.operations.find((op) => op.name === verdict.name);
    if (!operation) continue;
    verdict.limits = limits.measure(operation, target);
    measured += 1;
    const over = verdict.limits.filter((l) => l.exceeded);
    if (over.length === 0) continue;
    const refused = over.some((l) => l.enforced);
    if (refused) verdict.status = "fail";
    else if (verdict.status === "pass") verdict.status = "warn";
    findings.push({
      level: refused ? "error" : "warning",
      message: `${verdict.kind} ${verdict.name} (${verdict.file}): ${refused ? "the router would refuse it" : "over a limit the router only warns about"}`,
      details: over.map(
        (l) =>
          `${l.limit}: ${l.problem ?? (l.measured === undefined ? "over" : l.measured)} > ${l.max}${l.enforced ? "" : " (not enforced)"}`,
      ),
    });
  }
  const over = findings.length;
  return step(
    "limits",
    findings,
    `${plural(measured, "operation")} measured, ${over === 0 ? "all within the router's limits" : `${over} over a limit`} (${limits.source})`,
  );
}

/** Safe changes listed one per line before they are summarised (all of them are in the JSON report). */
const SAFE_LISTED = 15;

function changeFindings(changes: readonly ClassifiedChange[], prefix = ""): Finding[] {
  const findings = changes
    .filter((change) => change.level !== "safe")
    .map((change): Finding => {
      const usage = [change.usedBy.length > 0 ? `used by ${change.usedBy.join(", ")}` : "no client operation uses it"];
      if (change.allowedBecause) usage.push(`allowed: ${change.allowedBecause}`);
      return {
        level: change.level === "breaking" ? "warning" : "info",
        message: `${prefix}${change.level}: ${describeChange(change)}`,
        details: [change.message, ...usage],
      };
    });
  const safe = changes.filter((c) => c.level === "safe");
  if (safe.length === 0) return findings;
  // Description edits are noise next to additions; the JSON report keeps every change.
  const notable = safe.filter((c) => !/DESCRIPTION/.test(c.type));
  const listed = notable.slice(0, SAFE_LISTED).map(describeChange);
  const rest = safe.length - listed.length;
  if (rest > 0)
    listed.push(`… and ${rest} more (${safe.length - notable.length} of them description changes): see --json`);
  findings.push({
    level: "info",
    message: `${prefix}${safe.length} safe change${safe.length === 1 ? "" : "s"}`,
    details: listed,
  });
  return findings;
}

function summarizeChanges(changes: readonly ClassifiedChange[]): string {
  const count = (level: ClassifiedChange["level"]) => changes.filter((c) => c.level === level).length;
  if (changes.length === 0) return "no changes against the base";
  return `${count("breaking")} breaking, ${count("dangerous")} dangerous, ${count("safe")} safe`;
}

function unusedAllowlistEntries(
  entries: readonly AllowedChange[],
  changes: readonly ClassifiedChange[],
): AllowedChange[] {
  return entries.filter((entry) => !changes.some((change) => findAllowed([entry], change, change.schema) === entry));
}

/** `reason`: why there is no base (or no base contract). */
type BaseSchemas = { api?: SchemaBuild; contracts: Map<string, SchemaBuild>; reason: string };

/** The base API and contract schemas. A base that is a plain API schema (no join__Graph) has no contracts. */
function baseSchemas(base: Base, contracts: readonly ContractDefinition[]): BaseSchemas {
  if (base.kind === "none") return { contracts: new Map(), reason: base.reason };
  if (!/\bjoin__Graph\b/.test(base.sdl)) {
    try {
      const schema: GraphQLSchema = buildSchema(base.sdl);
      return {
        api: { ok: true, schema, sdl: base.sdl },
        contracts: new Map(),
        reason: "the base is an API schema, not a supergraph: no contract to derive",
      };
    } catch (error) {
      return {
        api: { ok: false, errors: [error instanceof Error ? error.message : String(error)] },
        contracts: new Map(),
        reason: "",
      };
    }
  }
  return {
    api: apiSchemaOf(base.sdl),
    contracts: new Map(contracts.map((c) => [c.name, contractSchemaOf(base.sdl, c)] as const)),
    reason: "",
  };
}

export interface GatherOptions {
  /** A base file instead of the git merge base. */
  baseFile?: string;
  /** The branch whose merge base is the base. @default "main" */
  branch?: string;
  limits?: RouterLimitsOptions;
}

/** Reads the repository: subgraphs, committed files, base, operations, allowlist, router limits. */
export async function gatherCheckInput(options: GatherOptions = {}): Promise<CheckInput> {
  const orNull = (path: string) => readFile(path, "utf8").catch(() => null);
  const subgraphs = await loadSubgraphs();
  const committedContracts: Record<string, string | null> = {};
  for (const contract of CONTRACTS) committedContracts[contract.name] = await orNull(contractPath(contract.name));
  return {
    subgraphs,
    committedSupergraph: await orNull(supergraphPath),
    committedContracts,
    base: options.baseFile
      ? await readBaseFile(options.baseFile)
      : resolveGitBase(options.branch ? { branch: options.branch } : {}),
    operations: parseOperations(await readOperationFiles()),
    allowlist: await loadAllowlist(),
    boundaryAllowlist: await loadBoundaryAllowlist(),
    limits: createRouterLimits(options.limits),
  };
}
