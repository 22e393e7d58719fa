import { join } from "node:path";
import { Supergraph } from "@apollo/federation-internals";
import {
  GraphQLSchema,
  isInterfaceType,
  isObjectType,
  lexicographicSortSchema,
  printSchema,
  type GraphQLNamedType,
} from "graphql";
import { schemaPackageDir } from "./compose.js";
import { tagContractExclusions } from "./contractTags.js";

/** A contract: a filtered copy of the API schema for one audience. */
export interface ContractDefinition {
  /** Its name; the schema is written to `schema/contracts/<name>.graphql`. */
  name: string;
  /** Elements (types, fields, arguments, enum values) tagged `@tag(name: …)` with one of these are left out. */
  excludeTags: readonly string[];
}

/** The contracts the repository publishes. `public` is what third-party clients may rely on. */
export const CONTRACTS: readonly ContractDefinition[] = [{ name: "public", excludeTags: ["internal"] }];

export const contractsDir = join(schemaPackageDir, "contracts");
export const contractPath = (name: string): string => join(contractsDir, `${name}.graphql`);

export type SchemaBuild = { ok: true; schema: GraphQLSchema; sdl: string } | { ok: false; errors: string[] };

/** Prints a schema the way the committed files are written (one trailing newline). */
export const printForFile = (schema: GraphQLSchema): string => `${printSchema(schema).trimEnd()}\n`;

/**
 * The API schema clients see: the supergraph minus federation's machinery and every `@inaccessible` element,
 * computed by federation itself (`Supergraph.build(sdl).apiSchema()`). Whether the router can execute every linked
 * feature is the router's concern, not the client-visible schema's, so unknown features are accepted here.
 */
export function apiSchemaOf(supergraphSdl: string): SchemaBuild {
  try {
    const schema = lexicographicSortSchema(
      Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema(),
    );
    return { ok: true, schema, sdl: printForFile(schema) };
  } catch (error) {
    return { ok: false, errors: messagesOf(error) };
  }
}

/**
 * A contract schema: every element tagged with an excluded tag becomes `@inaccessible` (with what depends on it),
 * federation computes the API schema of that supergraph, and types no longer reachable from a root are dropped.
 */
export function contractSchemaOf(supergraphSdl: string, contract: ContractDefinition): SchemaBuild {
  const tagged = tagContractExclusions(supergraphSdl, contract.excludeTags);
  if (!tagged.ok) return { ok: false, errors: tagged.errors.map((e) => `contract "${contract.name}": ${e}`) };
  const api = apiSchemaOf(tagged.supergraphSdl);
  if (!api.ok) return { ok: false, errors: api.errors.map((e) => `contract "${contract.name}": ${e}`) };
  const schema = lexicographicSortSchema(withoutUnreachableTypes(api.schema));
  return { ok: true, schema, sdl: printForFile(schema) };
}

/** Rebuilds the schema from its roots, so types only internal fields led to do not leak into a contract. */
function withoutUnreachableTypes(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  const roots = {
    query: config.query,
    mutation: config.mutation,
    subscription: config.subscription,
    directives: config.directives,
  };
  // graphql-js collects every type reachable from the roots except the implementations of interfaces: add those until stable.
  let extra: GraphQLNamedType[] = [];
  for (;;) {
    const reachable = new GraphQLSchema({ ...roots, types: extra });
    const next = config.types.filter(
      (type) =>
        isObjectType(type) &&
        !reachable.getType(type.name) &&
        type.getInterfaces().some((i) => isInterfaceType(reachable.getType(i.name))),
    );
    if (next.length === 0) return reachable;
    extra = [...extra, ...next];
  }
}

function messagesOf(error: unknown): string[] {
  const causes = (error as { causes?: unknown } | null)?.causes;
  if (Array.isArray(causes) && causes.length > 0)
    return causes.map((c) => (c instanceof Error ? c.message : String(c)));
  return [error instanceof Error ? error.message : String(error)];
}
