import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { composeServices } from "@apollo/composition";
import { errorCodeDef } from "@apollo/federation-internals";
import { GraphQLError, Source, getLocation, parse, type DocumentNode } from "graphql";

const here = dirname(fileURLToPath(import.meta.url));
/** The schema/ package folder (from src/ or dist/). */
export const schemaPackageDir = resolve(here, "..");
/** The repository root: paths in reports are relative to it. */
export const repoRoot = resolve(schemaPackageDir, "..");
export const supergraphPath = join(schemaPackageDir, "supergraph.graphql");
export const subgraphsManifestPath = join(schemaPackageDir, "subgraphs.json");

export interface SubgraphSource {
  name: string;
  /** Routing URL written into the supergraph (the router can override it per subgraph). */
  url: string;
  /** Path of the subgraph's schema.graphql. */
  schemaPath: string;
  sdl: string;
}

/** One composition error, taken apart so a reader needs no federation internals to act on it. */
export interface CompositionProblem {
  /** The composition rule that failed (federation's error code), e.g. `FIELD_TYPE_MISMATCH`. */
  rule: string;
  /** What the rule checks, in plain words (federation's own description of the code). */
  ruleDescription?: string;
  /** Federation's message. */
  message: string;
  /** The subgraphs the error concerns. */
  subgraphs: string[];
  /** Types and fields the error names, e.g. `Product.name`. */
  coordinates: string[];
  /** `file:line:column` of each SDL node involved, relative to the repository root. */
  locations: string[];
}

export type CompositionResult =
  | { ok: true; supergraphSdl: string; hints: string[] }
  | { ok: false; errors: string[]; problems: CompositionProblem[] };

/** Reads subgraphs.json and each subgraph's SDL file. */
export async function loadSubgraphs(manifestPath = subgraphsManifestPath): Promise<SubgraphSource[]> {
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as {
    subgraphs: { name: string; url: string; schema: string }[];
  };
  return Promise.all(
    manifest.subgraphs.map(async (s) => {
      const schemaPath = resolve(dirname(manifestPath), s.schema);
      const sdl = await readFile(schemaPath, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
        throw new Error(
          `${displayPath(manifestPath)} lists subgraph "${s.name}", but its schema ${displayPath(schemaPath)} does not exist`,
        );
      });
      return { name: s.name, url: s.url, schemaPath, sdl };
    }),
  );
}

/** `path` relative to the repository root when it lies inside it. */
export function displayPath(path: string): string {
  const rel = relative(repoRoot, path);
  return rel.startsWith("..") || rel === "" ? path : rel;
}

/** One line per problem, e.g. `[FIELD_TYPE_MISMATCH] Product.name (subgraphs accounts, catalog): Type of field …`. */
export function formatProblem(problem: CompositionProblem): string {
  const where = problem.coordinates.length > 0 ? ` ${problem.coordinates.join(", ")}` : "";
  const who =
    problem.subgraphs.length > 0
      ? ` (subgraph${problem.subgraphs.length > 1 ? "s" : ""} ${problem.subgraphs.join(", ")})`
      : "";
  return `[${problem.rule}]${where}${who}: ${problem.message}`;
}

const QUOTED = /"([^"]+)"/g;
const COORDINATE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(\(\w+:\))?$/;
const PREFIX = /^\[([^\]]+)\]\s*/;

function problemOf(error: GraphQLError, subgraphs: readonly SubgraphSource[]): CompositionProblem {
  const names = new Set(subgraphs.map((s) => s.name));
  const rule = typeof error.extensions?.code === "string" ? error.extensions.code : "INVALID_GRAPHQL";
  const found = new Set<string>();
  const prefixed = PREFIX.exec(error.message)?.[1];
  if (prefixed && names.has(prefixed)) found.add(prefixed);
  const coordinates = new Set<string>();
  for (const [, quoted = ""] of error.message.matchAll(QUOTED)) {
    if (names.has(quoted)) found.add(quoted);
    else if (COORDINATE.test(quoted) && /^[A-Z_]/.test(quoted)) coordinates.add(quoted);
  }
  const locations: string[] = [];
  for (const node of error.nodes ?? []) {
    const source = node.loc?.source;
    if (!source || !node.loc) continue;
    const subgraph = subgraphs.find((s) => s.schemaPath === source.name);
    if (subgraph) found.add(subgraph.name);
    const { line, column } = getLocation(source, node.loc.start);
    locations.push(`${displayPath(source.name)}:${line}:${column}`);
  }
  const ruleDescription = errorCodeDef(rule)?.description;
  return {
    rule,
    ...(ruleDescription ? { ruleDescription } : {}),
    message: error.message,
    subgraphs: [...found].sort(),
    coordinates: [...coordinates],
    locations,
  };
}

/** Composes the subgraphs with @apollo/composition; errors come back as readable lines and as structured problems. */
export function compose(subgraphs: readonly SubgraphSource[]): CompositionResult {
  const parsed: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  const problems: CompositionProblem[] = [];
  const errors: string[] = [];
  for (const s of subgraphs) {
    try {
      parsed.push({ name: s.name, url: s.url, typeDefs: parse(new Source(s.sdl, s.schemaPath)) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push(`subgraph "${s.name}" (${s.schemaPath}): ${message}`);
      const location =
        error instanceof GraphQLError && error.locations?.[0]
          ? `:${error.locations[0].line}:${error.locations[0].column}`
          : "";
      problems.push({
        rule: "INVALID_GRAPHQL",
        message,
        subgraphs: [s.name],
        coordinates: [],
        locations: [`${displayPath(s.schemaPath)}${location}`],
      });
    }
  }
  if (problems.length > 0) return { ok: false, errors, problems };
  const result = composeServices(parsed);
  if (result.errors) {
    const composed = result.errors.map((e) => problemOf(e, subgraphs));
    return { ok: false, errors: composed.map(formatProblem), problems: composed };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl, hints: result.hints.map((h) => h.toString()) };
}
