import { readSupergraphMetadata, type SupergraphMetadata } from "@commerce/analysis";
import { parse, type GraphQLSchema } from "graphql";

/**
 * The supergraph metadata (authorization and cost directives) of each API schema the gateway has served, so a
 * request always reads the metadata of the very schema it was validated against, also across hot reloads.
 */
export class SupergraphMetadataRegistry {
  private readonly bySchema = new WeakMap<GraphQLSchema, SupergraphMetadata>();
  /** The API schema the gateway loaded last. */
  latestSchema: GraphQLSchema | undefined;

  /** For `gateway.onSchemaLoadOrUpdate`: the core supergraph SDL is the one the gateway accepted. */
  register({ apiSchema, coreSupergraphSdl }: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }): void {
    this.bySchema.set(apiSchema, readSupergraphMetadata(parse(coreSupergraphSdl)));
    this.latestSchema = apiSchema;
  }

  /** Registers metadata directly (tests, or a schema built without a gateway). */
  set(schema: GraphQLSchema, metadata: SupergraphMetadata): void {
    this.bySchema.set(schema, metadata);
  }

  get(schema: GraphQLSchema): SupergraphMetadata | undefined {
    return this.bySchema.get(schema);
  }
}
