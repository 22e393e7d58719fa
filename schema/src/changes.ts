import { CriticalityLevel, diff, type Change } from "@graphql-inspector/core";
import type { GraphQLSchema } from "graphql";
import { findAllowed, type AllowedChange } from "./allowlist.js";
import { usedCoordinates, validateOperation, type ClientOperation } from "./operations.js";
import type { ChangeLevel, ClassifiedChange, Finding, OperationVerdict } from "./result.js";

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: "breaking",
  [CriticalityLevel.Dangerous]: "dangerous",
  [CriticalityLevel.NonBreaking]: "safe",
};
const ORDER: Record<ChangeLevel, number> = { breaking: 0, dangerous: 1, safe: 2 };

/** Changes whose path names something new inside a container: they break whoever uses the container. */
const BREAKS_CONTAINER_USERS = new Set(["FIELD_ARGUMENT_ADDED", "INPUT_FIELD_ADDED"]);

/** Diffs two schemas with graphql-inspector; breaking first. Marks the changes the allowlist accepts for `schemaName`. */
export async function classifyChanges(
  schemaName: string,
  base: GraphQLSchema,
  next: GraphQLSchema,
  allowlist: readonly AllowedChange[],
): Promise<ClassifiedChange[]> {
  const changes: Change[] = await diff(base, next);
  return changes
    .map((change): ClassifiedChange => {
      const allowed = findAllowed(allowlist, change, schemaName);
      return {
        schema: schemaName,
        level: LEVELS[change.criticality.level],
        type: String(change.type),
        ...(change.path ? { path: change.path } : {}),
        message: change.message,
        usedBy: [],
        ...(allowed ? { allowedBecause: allowed.reason } : {}),
      };
    })
    .sort((a, b) => ORDER[a.level] - ORDER[b.level] || (a.path ?? "").localeCompare(b.path ?? ""));
}

/** Whether an operation relying on `coordinates` is affected by `change`. */
export function relies(change: Pick<ClassifiedChange, "type" | "path">, coordinates: ReadonlySet<string>): boolean {
  if (!change.path) return false;
  if (coordinates.has(change.path)) return true;
  if (!BREAKS_CONTAINER_USERS.has(change.type)) return false;
  return coordinates.has(change.path.slice(0, change.path.lastIndexOf(".")));
}

export const describeChange = (change: ClassifiedChange): string => `${change.type} ${change.path ?? ""}`.trim();

export interface OperationCheckInput {
  /** `api` or a contract name. */
  schemaName: string;
  /** The schema clients use today; absent when there is no base. */
  base: GraphQLSchema | undefined;
  next: GraphQLSchema;
  /** From classifyChanges(base, next); `usedBy` is filled in here. */
  changes: ClassifiedChange[];
  operations: readonly ClientOperation[];
  /**
   * Which operations must keep working: `all` (the API schema: every operation must be valid), or `base-clients`
   * (a contract: the operations valid against its base schema are its clients).
   */
  scope: "all" | "base-clients";
}

export interface OperationCheckResult {
  verdicts: OperationVerdict[];
  findings: Finding[];
}

/**
 * Usage-aware operation checks, like the hosted registries': an operation fails when it is invalid against the new
 * schema or relies on a breaking change, unless every break it relies on is on the allowlist. Breaking changes that
 * no operation relies on pass (the breaking-changes step reports them).
 */
export function checkOperations(input: OperationCheckInput): OperationCheckResult {
  const { schemaName, base, next, changes, scope } = input;
  const label = schemaName === "api" ? "" : ` (${schemaName} contract)`;
  const findings: Finding[] = [];
  const verdicts: OperationVerdict[] = [];
  const breaking = changes.filter((c) => c.level !== "safe");

  for (const operation of input.operations) {
    if (scope === "base-clients" && (!base || validateOperation(base, operation).length > 0)) continue;
    const errors = validateOperation(next, operation);
    const coordinates = usedCoordinates(next, operation.document);
    if (base) for (const c of usedCoordinates(base, operation.document)) coordinates.add(c);
    const relied = breaking.filter((change) => relies(change, coordinates));
    for (const change of relied) change.usedBy.push(operation.name);
    const breaks = relied.filter((c) => c.level === "breaking");
    const unaccepted = breaks.filter((c) => !c.allowedBecause);
    const who = `${operation.kind} ${operation.name} (${operation.file})`;
    const details = [
      ...errors,
      ...breaks.map(
        (c) =>
          `relies on ${describeChange(c)}: ${c.message}${c.allowedBecause ? ` [allowed: ${c.allowedBecause}]` : ""}`,
      ),
    ];

    let status: OperationVerdict["status"] = "pass";
    if ((errors.length > 0 && (breaks.length === 0 || unaccepted.length > 0)) || unaccepted.length > 0) {
      status = "fail";
      findings.push({ level: "error", message: `${who} breaks${label}`, details });
    } else if (breaks.length > 0) {
      status = "warn";
      findings.push({ level: "warning", message: `${who} breaks${label}, accepted by the allowlist`, details });
    } else if (relied.length > 0) {
      status = "warn";
      findings.push({
        level: "warning",
        message: `${who} relies on a dangerous change${label}`,
        details: relied.map((c) => `${describeChange(c)}: ${c.message}`),
      });
    }
    verdicts.push({
      name: operation.name,
      kind: operation.kind,
      file: operation.file,
      status,
      errors,
      breaks: breaks.map(describeChange),
      limits: [],
    });
  }

  return { verdicts, findings };
}
