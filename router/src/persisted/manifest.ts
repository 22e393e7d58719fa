import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  Kind,
  parse,
  print,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
} from "graphql";

/** Apollo's persisted-query manifest format, as `npm run manifest` writes it. */
export interface PersistedOperationManifest {
  format: "apollo-persisted-query-manifest";
  version: 1;
  operations: { id: string; name: string; type: "query" | "mutation" | "subscription"; body: string }[];
}

/** The sha256 (hex) Apollo uses for persisted queries. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The same operation however it is spaced, commented or ordered in its file: graphql's `print`. */
export function normalizedHash(document: DocumentNode): string {
  return sha256(print(document));
}

/**
 * Builds the manifest from client operation files (`operations/**\/*.graphql`): one entry per operation, its body
 * the operation plus the fragments it uses (from any file), printed by graphql. Sorted by name; pure.
 */
export function buildManifest(files: readonly { path: string; source: string }[]): PersistedOperationManifest {
  const definitions = files.flatMap(({ path, source }) => {
    try {
      return parse(source).definitions;
    } catch (error) {
      throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operations: PersistedOperationManifest["operations"] = [];
  for (const d of definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (!d.name) throw new Error("every persisted operation needs a name");
    const used = usedFragments(d, fragments);
    const body = print({ kind: Kind.DOCUMENT, definitions: [d, ...used] });
    operations.push({ id: sha256(body), name: d.name.value, type: d.operation, body });
  }
  operations.sort((a, b) => a.name.localeCompare(b.name));
  return { format: "apollo-persisted-query-manifest", version: 1, operations };
}

function usedFragments(
  root: DefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const pending: DefinitionNode[] = [root];
  for (let next = pending.pop(); next; next = pending.pop()) {
    visit(next, {
      FragmentSpread(node) {
        const fragment = fragments.get(node.name.value);
        if (fragment && !used.has(fragment.name.value)) {
          used.set(fragment.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
}

/** The hashes a safelist accepts: each body's exact sha256 (what clients send) and its normalized hash. */
export interface Safelist {
  has(exactHash: string, document?: DocumentNode): boolean;
  readonly size: number;
}

export function createSafelist(manifest: PersistedOperationManifest): Safelist {
  const exact = new Set(manifest.operations.map((o) => o.id));
  const normalized = new Set(manifest.operations.map((o) => normalizedHash(parse(o.body))));
  return {
    size: manifest.operations.length,
    has: (exactHash, document) =>
      exact.has(exactHash) || (document !== undefined && normalized.has(normalizedHash(document))),
  };
}

/** Reads and checks a manifest file; the error names the file and the command that writes it. */
export async function loadManifest(path: string): Promise<PersistedOperationManifest> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(
      `No persisted-operation manifest at ${path}: write it with \`npm run manifest -w @commerce/router\`.`,
      { cause: error },
    );
  }
  const manifest = JSON.parse(text) as PersistedOperationManifest;
  if (
    manifest.format !== "apollo-persisted-query-manifest" ||
    manifest.version !== 1 ||
    !Array.isArray(manifest.operations)
  ) {
    throw new Error(`${path} is not an apollo-persisted-query-manifest version 1`);
  }
  return manifest;
}
