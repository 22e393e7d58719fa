import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  Kind,
  parse,
  type DirectiveNode,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
} from "graphql";
import { displayPath, schemaPackageDir, type SubgraphSource } from "./compose.js";
import type { Finding } from "./result.js";

/** Non-null boundary fields a reviewer accepted, each with the reason the parent is useless without it. */
export const boundaryAllowlistPath = join(schemaPackageDir, "allowed-boundary-fields.json");

export interface AllowedBoundaryField {
  /** `Type.field`, e.g. `Order.customer`. */
  field: string;
  /** Why the product cannot show the parent without this field. Required. */
  reason: string;
}

export type LoadedBoundaryAllowlist = { entries: AllowedBoundaryField[]; problems: string[] };

/** Validates the boundary allowlist's JSON text (`{ "fields": [{ "field", "reason" }] }`). */
export function parseBoundaryAllowlist(
  text: string,
  file = "schema/allowed-boundary-fields.json",
): LoadedBoundaryAllowlist {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      entries: [],
      problems: [`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`],
    };
  }
  const list = (json as { fields?: unknown } | null)?.fields;
  if (!Array.isArray(list)) return { entries: [], problems: [`${file}: expected an object with a "fields" array`] };
  const entries: AllowedBoundaryField[] = [];
  const problems: string[] = [];
  list.forEach((raw: unknown, index) => {
    const entry = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const at = `${file}: fields[${index}]`;
    if (typeof entry.field !== "string" || !/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(entry.field))
      return problems.push(`${at} needs a "field" like "Order.customer"`);
    if (typeof entry.reason !== "string" || entry.reason.trim() === "")
      return problems.push(`${at} (${entry.field}) needs a "reason"`);
    entries.push({ field: entry.field, reason: entry.reason });
  });
  return { entries, problems };
}

/** Reads the boundary allowlist; a missing file is an empty list. */
export async function loadBoundaryAllowlist(path = boundaryAllowlistPath): Promise<LoadedBoundaryAllowlist> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  return text === undefined ? { entries: [], problems: [] } : parseBoundaryAllowlist(text);
}

/** One subgraph's definition of an entity: the fields it resolves itself (not keys, not `@external`). */
interface Contribution {
  subgraph: SubgraphSource;
  fields: FieldDefinitionNode[];
}

const directive = (node: { directives?: readonly DirectiveNode[] | undefined }, name: string) =>
  node.directives?.filter((d) => d.name.value === name) ?? [];
const argument = (d: DirectiveNode, name: string) => d.arguments?.find((a) => a.name.value === name)?.value;

/** Top-level field names of `@key(fields: "…")` selections (`"id"`, `"productId authorId"`, `"id owner { id }"` → id, owner). */
function keyFieldNames(keys: readonly DirectiveNode[]): Set<string> {
  const names = new Set<string>();
  for (const key of keys) {
    const fields = argument(key, "fields");
    if (fields?.kind !== Kind.STRING) continue;
    let depth = 0;
    for (const token of fields.value.match(/[A-Za-z_]\w*|[{}]/g) ?? []) {
      if (token === "{") depth += 1;
      else if (token === "}") depth -= 1;
      else if (depth === 0) names.add(token);
    }
  }
  return names;
}

/**
 * The partial-results rule: a field that another subgraph than the entity's owner contributes is nullable, so that
 * when that subgraph fails only the field is null, not its parent (a non-null field's null climbs to the nearest
 * nullable ancestor: one failed reviews fetch would blank a whole product list). The owner of an entity is the
 * subgraph that resolves most of its fields (keys and `@external` fields not counted); a tie names no owner and the
 * type is not checked. A non-null boundary field is a warning, unless `schema/allowed-boundary-fields.json` lists it
 * with the reason the product cannot show the parent without it; an entry that matches no such field is a warning too.
 */
export function checkBoundaryFields(
  subgraphs: readonly SubgraphSource[],
  allowlist: LoadedBoundaryAllowlist,
): Finding[] {
  const byType = new Map<string, Contribution[]>();
  for (const subgraph of subgraphs) {
    let definitions;
    try {
      definitions = parse(subgraph.sdl).definitions;
    } catch {
      continue; // hygiene reports a schema that does not parse
    }
    for (const definition of definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const type = definition as ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
      const keys = directive(type, "key");
      if (keys.length === 0) continue;
      const keyFields = keyFieldNames(keys);
      const fields = (type.fields ?? []).filter(
        (f) => !keyFields.has(f.name.value) && directive(f, "external").length === 0,
      );
      const list = byType.get(type.name.value) ?? [];
      list.push({ subgraph, fields });
      byType.set(type.name.value, list);
    }
  }

  const findings: Finding[] = [];
  const allowed = new Map(allowlist.entries.map((e) => [e.field, e] as const));
  const used = new Set<string>();
  const offending: string[] = [];
  for (const [type, contributions] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    const ranked = [...contributions].sort((a, b) => b.fields.length - a.fields.length);
    const [owner, runnerUp] = ranked;
    if (!owner || owner.fields.length === 0 || (runnerUp && runnerUp.fields.length === owner.fields.length)) continue;
    for (const { subgraph, fields } of ranked.slice(1)) {
      for (const field of fields) {
        if (field.type.kind !== Kind.NON_NULL_TYPE) continue;
        const coordinate = `${type}.${field.name.value}`;
        const entry = allowed.get(coordinate);
        if (entry) {
          used.add(coordinate);
          continue;
        }
        const at = field.loc
          ? `${displayPath(subgraph.schemaPath)}:${field.loc.startToken.line}`
          : displayPath(subgraph.schemaPath);
        offending.push(
          `${coordinate} (${subgraph.name}, at ${at}): owned by ${owner.subgraph.name}; a failed ${subgraph.name} fetch nulls the whole ${type}`,
        );
      }
    }
  }
  if (offending.length > 0) {
    findings.push({
      level: "warning",
      message: `${offending.length} non-null field(s) contributed to an entity by a subgraph that does not own it`,
      details: [
        ...offending,
        `make them nullable, or list them in ${displayPath(boundaryAllowlistPath)} with the reason the parent is useless without them`,
      ],
    });
  }
  for (const problem of allowlist.problems) findings.push({ level: "error", message: problem });
  for (const entry of allowlist.entries) {
    if (!used.has(entry.field))
      findings.push({
        level: "warning",
        message: `boundary allowlist entry ${entry.field} matches no non-null boundary field: remove it`,
        details: [entry.reason],
      });
  }
  return findings;
}
