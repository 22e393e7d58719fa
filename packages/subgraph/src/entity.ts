/**
 * Another subgraph's entity as this one knows it: its key alone (a key-only stub, `@key(fields: "id", resolvable: false)`,
 * or an entity this subgraph extends). Resolvers return `{ id }`; the router fetches the rest from the owner.
 */
export interface EntityRef {
  id: string;
}
