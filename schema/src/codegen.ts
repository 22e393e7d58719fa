import { readFile, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { codegen } from "@graphql-codegen/core";
import * as typescriptPlugin from "@graphql-codegen/typescript";
import * as resolversPlugin from "@graphql-codegen/typescript-resolvers";
import { GraphQLObjectType, GraphQLSchema, isObjectType, parse } from "graphql";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { printSchemaWithDirectives } from "@graphql-tools/utils";

export interface CodegenOptions {
  /** The subgraph package folder (holds schema.graphql and codegen.json). */
  packageDir: string;
}

/**
 * Generates `src/__generated__/resolvers.ts` from a subgraph's `schema.graphql`:
 * federation-aware resolver types whose parents are the Prisma model types named
 * in the package's `codegen.json` (`{ "contextType": "...", "mappers": { "User": "..." } }`).
 */
export async function generateResolverTypes({ packageDir }: CodegenOptions): Promise<string> {
  const sdl = await readFile(join(packageDir, "schema.graphql"), "utf8");
  const settings = JSON.parse(await readFile(join(packageDir, "codegen.json"), "utf8")) as {
    contextType: string;
    mappers?: Record<string, string>;
    scalars?: Record<string, string>;
  };
  const schema = withoutFederationPlumbing(buildSubgraphSchema({ typeDefs: parse(sdl) }));
  return runWithConfig(packageDir, schema, settings);
}

const PLUMBING_TYPES = new Set(["_Service", "_Entity", "_Any"]);

/**
 * Federation adds `Query._service`/`_entities` and their types, which codegen's
 * federation mode also emits itself; keep only the subgraph's own schema.
 */
function withoutFederationPlumbing(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  const types = config.types
    .filter((type) => !PLUMBING_TYPES.has(type.name))
    .map((type) => {
      if (!isObjectType(type) || type.name !== config.query?.name) return type;
      const { _service: _s, _entities: _e, ...fields } = type.toConfig().fields;
      return new GraphQLObjectType({ ...type.toConfig(), fields });
    });
  const query = types.find((t) => t.name === config.query?.name) as GraphQLObjectType | undefined;
  return new GraphQLSchema({ ...config, query, types });
}

async function runWithConfig(
  packageDir: string,
  schema: GraphQLSchema,
  settings: { contextType: string; mappers?: Record<string, string>; scalars?: Record<string, string> },
): Promise<string> {
  const content = await codegen({
    filename: "resolvers.ts",
    schema: parse(printSchemaWithDirectives(schema)),
    schemaAst: schema,
    documents: [],
    config: {
      federation: true,
      useIndexSignature: true,
      useTypeImports: true,
      enumsAsTypes: true,
      contextType: settings.contextType,
      mappers: settings.mappers ?? {},
      scalars: settings.scalars ?? {},
      mapperTypeSuffix: "Model",
    },
    plugins: [{ typescript: {} }, { typescriptResolvers: {} }],
    pluginMap: { typescript: typescriptPlugin, typescriptResolvers: resolversPlugin },
  } as unknown as Parameters<typeof codegen>[0]);
  const dir = join(packageDir, "src", "__generated__");
  await mkdir(dir, { recursive: true });
  const file = join(dir, "resolvers.ts");
  await writeFile(
    file,
    `/* eslint-disable */\n// Generated from schema.graphql by \`npm run generate\`. Do not edit.\n${content}`,
  );
  return file;
}
