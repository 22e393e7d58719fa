import { buildSchema, type GraphQLSchema } from "graphql";
import type { AllowedChange } from "../allowlist.js";
import { apiSchemaOf, contractSchemaOf, type ContractDefinition, type SchemaBuild } from "../apiSchema.js";
import type { Base } from "../base.js";
import { checkOperations, classifyChanges, describeChange } from "../changes.js";
import type { ClientOperation } from "../operations.js";
import type { ClassifiedChange, Finding, OperationVerdict, StepResult } from "../result.js";
import { skipped, step } from "./step.js";

/** `reason`: why there is no base (or no base contract). */
export type BaseSchemas = { api?: SchemaBuild; contracts: Map<string, SchemaBuild>; reason: string };

/** The base API and contract schemas. A base that is a plain API schema (no join__Graph) has no contracts. */
export function baseSchemas(base: Base, contracts: readonly ContractDefinition[]): BaseSchemas {
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

/**
 * Step 3: the changes of the API schema against the base, and the usage-aware operation checks that judge them
 * (their verdicts and findings are step 4's).
 */
export async function breakingChangesStep(input: {
  base: BaseSchemas;
  api: GraphQLSchema;
  allowlist: readonly AllowedChange[];
  operations: readonly ClientOperation[];
}): Promise<{ step: StepResult; changes: ClassifiedChange[]; verdicts: OperationVerdict[]; findings: Finding[] }> {
  const { base } = input;
  const changes = base.api?.ok ? await classifyChanges("api", base.api.schema, input.api, input.allowlist) : [];
  const checked = checkOperations({
    schemaName: "api",
    base: base.api?.ok ? base.api.schema : undefined,
    next: input.api,
    changes,
    operations: input.operations,
    scope: "all",
  });
  const result = !base.api
    ? skipped("breaking-changes", `no base, breaking-change step skipped: ${base.reason}`)
    : !base.api.ok
      ? skipped("breaking-changes", `the base schema does not build: ${base.api.errors.join("; ")}`)
      : step("breaking-changes", changeFindings(changes), summarizeChanges(changes));
  return { step: result, changes, verdicts: checked.verdicts, findings: checked.findings };
}

/** Safe changes listed one per line before they are summarised (all of them are in the JSON report). */
const SAFE_LISTED = 15;

/** Findings for changes: one per breaking or dangerous change, one for the safe ones. */
export function changeFindings(changes: readonly ClassifiedChange[], prefix = ""): Finding[] {
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

export function summarizeChanges(changes: readonly ClassifiedChange[]): string {
  const count = (level: ClassifiedChange["level"]) => changes.filter((c) => c.level === level).length;
  if (changes.length === 0) return "no changes against the base";
  return `${count("breaking")} breaking, ${count("dangerous")} dangerous, ${count("safe")} safe`;
}
