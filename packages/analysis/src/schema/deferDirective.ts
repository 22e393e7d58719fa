import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLNonNull,
  GraphQLSchema,
  GraphQLString,
} from "graphql";

/**
 * `@defer` as graphql-js 17 and @apollo/federation-internals define it (graphql 16 has no definition of its own).
 * The router serves it (incremental delivery), so client operations are validated against the API schema with it.
 */
export const DEFER_DIRECTIVE = new GraphQLDirective({
  name: "defer",
  description: "Delivers the fragment's fields in a later payload of the response (incremental delivery).",
  locations: [DirectiveLocation.FRAGMENT_SPREAD, DirectiveLocation.INLINE_FRAGMENT],
  args: {
    label: { type: GraphQLString, description: "Names the payloads of this fragment." },
    if: { type: new GraphQLNonNull(GraphQLBoolean), defaultValue: true, description: "Deferred when true." },
  },
});

const withDefer = new WeakMap<GraphQLSchema, GraphQLSchema>();

/** The schema with the `@defer` directive (the same types, so everything keyed by type stays valid); cached. */
export function schemaWithDefer(schema: GraphQLSchema): GraphQLSchema {
  if (schema.getDirective(DEFER_DIRECTIVE.name)) return schema;
  let known = withDefer.get(schema);
  if (!known) {
    const config = schema.toConfig();
    known = new GraphQLSchema({ ...config, directives: [...config.directives, DEFER_DIRECTIVE] });
    withDefer.set(schema, known);
  }
  return known;
}
