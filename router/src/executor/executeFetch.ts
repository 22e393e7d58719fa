import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { FetchNode } from "@apollo/query-planner";
import { isObjectType, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { compiledFetch } from "./compiledFetch.js";
import { deepMerge, isObject, setOwn, type Data } from "./deepMerge.js";
import type { Cursor, PlanExecution } from "./executePlan.js";
import { MISSING, RepresentationIndex } from "./representationIndex.js";
import { downstreamServiceError, errorPaths, fanOut } from "./subgraphErrors.js";

/**
 * One Fetch node: the variables it uses, the representations of its entities (built with its `requires`, with its
 * input rewrites), the call to the subgraph through its data source's `process()` (so the data plane's policies
 * apply to every fetch), and the answers merged into the entities (after its output rewrites). An entity fetch
 * sends each distinct representation once (the subgraph answers each entity from its representation alone), then
 * fans the answers and errors out to every entity that shares it.
 */

const INCOMING_OPERATION = "incoming operation" as Extract<
  GraphQLDataSourceProcessOptions,
  { incomingRequestContext: unknown }
>["kind"];

/** Runs one Fetch node at `cursor` and merges its answers; throws when the fetch fails as a whole. */
export async function executeFetch(execution: PlanExecution, node: FetchNode, cursor: Cursor): Promise<void> {
  const service = execution.serviceMap[node.serviceName];
  if (!service) throw new Error(`Couldn't find service with name "${node.serviceName}"`);
  const entities: Data[] = Array.isArray(cursor.data)
    ? ((cursor.data as unknown[]).filter(isPresent) as Data[])
    : [cursor.data as Data];
  if (entities.length === 0) return;
  const fetch = compiledFetch(node, execution.supergraph);
  const variables: Data = {};
  const provided = execution.requestContext.request.variables;
  if (node.variableUsages && provided) {
    for (const name of node.variableUsages) {
      if (Object.hasOwn(provided, name) && provided[name] !== undefined) setOwn(variables, name, provided[name]);
    }
  }
  if (!fetch.representation) {
    const received = await send(execution, service, node, cursor, variables, undefined);
    if (received) fetch.outputRewrite?.(received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }
  // One representation per distinct entity: `uniqueOf[i]` is the index of the i-th entity's representation in
  // `representations` (-1: it has none), `sentAs[j]` the same for the j-th representation @apollo/gateway would
  // have sent (for the paths of errors).
  const representations: Data[] = [];
  const firstEntityOf: Data[] = [];
  const uniqueOf = new Int32Array(entities.length);
  const sentAs: number[] = [];
  // The entity of each position in `sentAs` (only kept once an entity had no representation; else the identity).
  let entityAt: number[] | undefined;
  const index = new RepresentationIndex(fetch.key);
  for (let position = 0; position < entities.length; position++) {
    const entity = entities[position]!;
    let unique = index.find(entity);
    if (unique === MISSING) {
      uniqueOf[position] = -1;
      entityAt ??= Array.from(sentAs.keys());
      continue;
    }
    if (unique === undefined) {
      const representation = fetch.representation(entity);
      if (!representation?.__typename) {
        uniqueOf[position] = -1;
        entityAt ??= Array.from(sentAs.keys());
        continue;
      }
      fetch.inputRewrite?.(representation);
      unique = index.add(entity, representation, representations.length);
      if (unique === representations.length) {
        representations.push(representation);
        firstEntityOf.push(entity);
      }
    }
    uniqueOf[position] = unique;
    sentAs.push(unique);
    entityAt?.push(position);
  }
  if (representations.length === 0) return;
  if ("representations" in variables) throw new Error(`Variables cannot contain key "representations"`);
  const received = await send(
    execution,
    service,
    node,
    cursor,
    { ...variables, representations },
    sentAs.length === representations.length ? undefined : sentAs,
    entityAt,
  );
  if (!received) return;
  const answers = received._entities;
  if (!Array.isArray(answers)) throw new Error(`Expected "data._entities" in response to be an array`);
  if (answers.length !== representations.length)
    throw new Error(`Expected "data._entities" to contain ${sentAs.length} elements`);
  for (let unique = 0; unique < answers.length; unique++) {
    const answer = answers[unique] as Data | null | undefined;
    if (
      answer &&
      answer.__typename !== firstEntityOf[unique]!.__typename &&
      !isConcreteType(execution.supergraph, answer.__typename)
    ) {
      // No __typename, or an @interfaceObject's (the interface): the entity keeps its own. @apollo/gateway keeps
      // the interface's when the planner asked for it (under a condition), and a fragment on the type then misses.
      answer.__typename = firstEntityOf[unique]!.__typename;
    }
    fetch.outputRewrite?.(answer);
  }
  for (let position = 0; position < entities.length; position++) {
    const unique = uniqueOf[position]!;
    if (unique >= 0) deepMerge(entities[position]!, answers[unique]);
  }
}

/**
 * Calls the subgraph and records its errors with their paths in the response. `sentAs` (when representations were
 * de-duplicated) maps each position of the un-deduplicated list to the representation sent for it.
 */
async function send(
  execution: PlanExecution,
  service: GraphQLDataSource<Record<string, unknown>>,
  node: FetchNode,
  cursor: Cursor,
  variables: Data,
  sentAs: readonly number[] | undefined,
  entityAt?: readonly number[],
): Promise<Data | null | undefined> {
  const { requestContext } = execution;
  const response = await service.process({
    // @apollo/gateway does not export the enum (GraphQLDataSourceRequestKind.INCOMING_OPERATION).
    kind: INCOMING_OPERATION,
    request: { query: node.operation, variables, operationName: node.operationName },
    incomingRequestContext: requestContext,
    context: requestContext.context,
    document: node.operationDocumentNode,
    pathInIncomingRequest: cursor.path as (string | number)[],
  });
  const errors = response.errors;
  if (errors && errors.length > 0) {
    const paths = errorPaths(node, cursor, execution.data, entityAt);
    for (const error of fanOut(errors, sentAs))
      execution.errors.push(downstreamServiceError(error, node.serviceName, paths));
    if (!response.extensions?.ftv1) {
      const metrics = requestContext.metrics as {
        nonFtv1ErrorPaths?: { subgraph: string; path: GraphQLFormattedError["path"] }[];
      };
      const recorded = errors.map((error) => ({ subgraph: node.serviceName, path: error.path }));
      if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...recorded);
      else metrics.nonFtv1ErrorPaths = recorded;
    }
  }
  return response.data as Data | null | undefined;
}

/**
 * Merges a subgraph's answer to a root fetch that was not sent from here (each event of a subscription answers its
 * plan's primary fetch) as `executeNode` merges one it sent: errors recorded at their paths, output rewrites applied.
 */
export function mergeRootResponse(
  execution: PlanExecution,
  node: FetchNode,
  response: { data?: unknown; errors?: readonly GraphQLFormattedError[] | undefined },
): void {
  const cursor: Cursor = { path: [], data: execution.data };
  if (response.errors && response.errors.length > 0) {
    const paths = errorPaths(node, cursor, execution.data, undefined);
    for (const error of response.errors) execution.errors.push(downstreamServiceError(error, node.serviceName, paths));
  }
  if (!isObject(response.data)) return;
  compiledFetch(node, execution.supergraph).outputRewrite?.(response.data);
  deepMerge(execution.data, response.data);
}

function isConcreteType(schema: GraphQLSchema, typename: unknown): boolean {
  return typeof typename === "string" && isObjectType(schema.getType(typename));
}

function isPresent(value: unknown): boolean {
  return value !== null && value !== undefined;
}
