import { Kind, type ConstDirectiveNode, type DocumentNode, type ValueNode } from "graphql";

/** One `@link` of a core schema: which spec, under which local name, for what purpose, importing what. */
export interface Link {
  /** The spec URL without its version, e.g. `https://specs.apollo.dev/authenticated`. */
  identity: string;
  url: string;
  /** Local prefix: `as`, else the spec's name (the URL's last path segment before the version). */
  name: string;
  purpose: string | undefined;
  /** Imported directive names (without `@`) → their local names. */
  imports: ReadonlyMap<string, string>;
  /** The `@link` directive node itself, to rewrite it. */
  node: ConstDirectiveNode;
}

export const SPECS = {
  link: "https://specs.apollo.dev/link",
  federation: "https://specs.apollo.dev/federation",
  authenticated: "https://specs.apollo.dev/authenticated",
  requiresScopes: "https://specs.apollo.dev/requiresScopes",
  policy: "https://specs.apollo.dev/policy",
  inaccessible: "https://specs.apollo.dev/inaccessible",
  cost: "https://specs.apollo.dev/cost",
} as const;

/** Every `@link` on the schema definition or its extensions. */
export function readLinks(document: DocumentNode): Link[] {
  const links: Link[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== "link") continue;
      const args = new Map(directive.arguments?.map((a) => [a.name.value, a.value]) ?? []);
      const url = stringValue(args.get("url"));
      if (!url) continue;
      const match = /^(.*)\/([^/]+)\/v\d+\.\d+\/?$/.exec(url);
      const identity = match?.[1] && match[2] ? `${match[1]}/${match[2]}` : url;
      const specName = match?.[2] ?? url;
      const purpose = args.get("for");
      links.push({
        identity,
        url,
        name: stringValue(args.get("as")) ?? specName,
        purpose: purpose?.kind === Kind.ENUM ? purpose.value : undefined,
        imports: readImports(args.get("import")),
        node: directive,
      });
    }
  }
  return links;
}

/**
 * The local name of a spec's directive in this document, or undefined when the spec is not linked. Imported
 * directives keep their (or their `as`) name; the spec's own directive is `@<link name>`; others are
 * `@<link name>__<directive>`. Federation directives of a subgraph SDL resolve the same way.
 */
export function directiveName(links: readonly Link[], identity: string, directive: string): string | undefined {
  const link = links.find((l) => l.identity === identity);
  if (!link) return undefined;
  const imported = link.imports.get(directive);
  if (imported) return imported;
  return directive === identity.split("/").pop() ? link.name : `${link.name}__${directive}`;
}

/** Local names of a directive from a spec, looking in the spec's own link and, for subgraph SDL, the federation link. */
export function directiveNames(links: readonly Link[], identity: string, directive: string): Set<string> {
  const names = new Set<string>();
  const own = directiveName(links, identity, directive);
  if (own) names.add(own);
  const federation = links.find((l) => l.identity === SPECS.federation);
  if (federation) names.add(federation.imports.get(directive) ?? `${federation.name}__${directive}`);
  return names;
}

function readImports(value: ValueNode | undefined): Map<string, string> {
  const imports = new Map<string, string>();
  if (value?.kind !== Kind.LIST) return imports;
  for (const item of value.values) {
    if (item.kind === Kind.STRING) {
      imports.set(item.value.replace(/^@/, ""), item.value.replace(/^@/, ""));
    } else if (item.kind === Kind.OBJECT) {
      const fields = new Map(item.fields.map((f) => [f.name.value, stringValue(f.value)]));
      const name = fields.get("name");
      if (name) imports.set(name.replace(/^@/, ""), (fields.get("as") ?? name).replace(/^@/, ""));
    }
  }
  return imports;
}

function stringValue(value: ValueNode | undefined): string | undefined {
  return value?.kind === Kind.STRING ? value.value : undefined;
}
