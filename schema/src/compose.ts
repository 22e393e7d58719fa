import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { composeServices } from "@apollo/composition";
import { parse, type GraphQLError } from "graphql";

const here = dirname(fileURLToPath(import.meta.url));
/** The schema/ package folder (from src/ or dist/). */
export const schemaPackageDir = resolve(here, "..");
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

export type CompositionResult =
  | { ok: true; supergraphSdl: string; hints: string[] }
  | { ok: false; errors: string[] };

/** Reads subgraphs.json and each subgraph's SDL file. */
export async function loadSubgraphs(manifestPath = subgraphsManifestPath): Promise<SubgraphSource[]> {
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as { subgraphs: { name: string; url: string; schema: string }[] };
  return Promise.all(
    manifest.subgraphs.map(async (s) => {
      const schemaPath = resolve(dirname(manifestPath), s.schema);
      return { name: s.name, url: s.url, schemaPath, sdl: await readFile(schemaPath, "utf8") };
    }),
  );
}

function describe(error: GraphQLError): string {
  const code = typeof error.extensions?.code === "string" ? `[${error.extensions.code}] ` : "";
  return `${code}${error.message}`;
}

/** Composes the subgraphs with @apollo/composition; errors come back as readable lines. */
export function compose(subgraphs: readonly SubgraphSource[]): CompositionResult {
  const parsed: { name: string; url: string; typeDefs: ReturnType<typeof parse> }[] = [];
  const errors: string[] = [];
  for (const s of subgraphs) {
    try {
      parsed.push({ name: s.name, url: s.url, typeDefs: parse(s.sdl) });
    } catch (error) {
      errors.push(`subgraph "${s.name}" (${s.schemaPath}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const result = composeServices(parsed);
  if (result.errors) return { ok: false, errors: result.errors.map(describe) };
  return { ok: true, supergraphSdl: result.supergraphSdl, hints: result.hints.map((h) => h.toString()) };
}
