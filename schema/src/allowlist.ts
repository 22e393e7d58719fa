import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { schemaPackageDir } from "./compose.js";

/** The reviewer's list of accepted breaking changes. */
export const allowlistPath = join(schemaPackageDir, "allowed-changes.json");

/** One accepted change: it does not fail the check even when client operations use it. */
export interface AllowedChange {
  /** The schema coordinate, as the report prints it: `Product.sku`, `Query.products.first`, `Role.STAFF`. */
  path: string;
  /** Only this kind of change (e.g. `FIELD_REMOVED`); any change at `path` when left out. */
  type?: string;
  /** Only in this schema: `api` or a contract name such as `public`; every schema when left out. */
  schema?: string;
  /** Why the break is acceptable (who agreed, which clients were updated). Required. */
  reason: string;
}

export type LoadedAllowlist = { entries: AllowedChange[]; problems: string[] };

const KEYS = new Set(["path", "type", "schema", "reason"]);

/** Validates the allowlist's JSON text. Problems (bad shape, missing reason) fail the check. */
export function parseAllowlist(text: string, file = "schema/allowed-changes.json"): LoadedAllowlist {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      entries: [],
      problems: [`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`],
    };
  }
  const list = (json as { changes?: unknown } | null)?.changes;
  if (!Array.isArray(list)) return { entries: [], problems: [`${file}: expected an object with a "changes" array`] };
  const entries: AllowedChange[] = [];
  const problems: string[] = [];
  list.forEach((raw: unknown, index) => {
    const at = `${file}: changes[${index}]`;
    if (typeof raw !== "object" || raw === null) return problems.push(`${at} must be an object`);
    const entry = raw as Record<string, unknown>;
    const unknown = Object.keys(entry).filter((key) => !KEYS.has(key));
    if (unknown.length > 0)
      problems.push(`${at} has unknown key(s) ${unknown.join(", ")} (allowed: ${[...KEYS].join(", ")})`);
    if (typeof entry.path !== "string" || entry.path.trim() === "")
      return problems.push(`${at} needs a "path" (e.g. "Product.sku")`);
    if (typeof entry.reason !== "string" || entry.reason.trim() === "")
      return problems.push(`${at} (${entry.path}) needs a "reason"`);
    for (const key of ["type", "schema"] as const) {
      if (entry[key] !== undefined && typeof entry[key] !== "string")
        problems.push(`${at} (${entry.path}): "${key}" must be a string`);
    }
    entries.push({
      path: entry.path,
      reason: entry.reason,
      ...(typeof entry.type === "string" ? { type: entry.type } : {}),
      ...(typeof entry.schema === "string" ? { schema: entry.schema } : {}),
    });
  });
  return { entries, problems };
}

/** Reads the allowlist; a missing file is an empty list. */
export async function loadAllowlist(path = allowlistPath): Promise<LoadedAllowlist> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  return text === undefined ? { entries: [], problems: [] } : parseAllowlist(text);
}

/** The entry that accepts a change of `type` at `path` in `schema`, if any. */
export function findAllowed(
  entries: readonly AllowedChange[],
  change: { path?: string | undefined; type: string },
  schema: string,
) {
  return entries.find(
    (e) =>
      e.path === change.path &&
      (e.type === undefined || e.type === change.type) &&
      (e.schema === undefined || e.schema === schema),
  );
}
