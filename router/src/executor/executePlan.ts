import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { ERRORS, errorCodeDef, type VariableDefinitions } from "@apollo/federation-internals";
import {
  evaluateCondition,
  type ConditionNode,
  type DeferredNode,
  type FetchDataRewrite,
  type FetchNode,
  type PlanNode,
  type QueryPlanSelectionNode,
} from "@apollo/query-planner";
import type { GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import {
  isAbstractType,
  isInterfaceType,
  isObjectType,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import { SpanStatusCode, type Span } from "@opentelemetry/api";
import { forwardedSubgraphError } from "@commerce/common";
import { tracer } from "@commerce/telemetry";
import type { Deferral } from "./deferredDelivery.js";

/**
 * Runs a query plan of @apollo/query-planner: Sequence, Parallel, Flatten, Fetch (root fields, or entities from
 * representations built with the fetch's `requires`, with its input and output rewrites), Condition and Defer
 * nodes (see `deferredDelivery`).
 * Subgraph data is merged into one tree (`data`), which `shapeResponse` then turns into the response. Subgraphs are
 * only called through their data source's `process()`, so the data plane's policies apply to every fetch.
 *
 * Two things differ from @apollo/gateway's executor, and neither changes a response: what depends only on the
 * plan (the `requires` selections, type conditions, rewrites) is compiled once per fetch node, and an entity fetch
 * sends each distinct representation once (the subgraph answers each entity from its representation alone), then
 * fans the answers and errors out to every entity that shares it.
 */

type Path = (string | number)[];
const INCOMING_OPERATION = "incoming operation" as Extract<
  GraphQLDataSourceProcessOptions,
  { incomingRequestContext: unknown }
>["kind"];
type Data = Record<string, unknown>;

/** The per-request state of one plan execution. */
export interface PlanExecution {
  readonly serviceMap: Readonly<Record<string, GraphQLDataSource<Record<string, unknown>>>>;
  readonly requestContext: GatewayGraphQLRequestContext<Record<string, unknown>>;
  /** The supergraph as a graphql-js schema (what type conditions in `requires` and rewrites are checked against). */
  readonly supergraph: GraphQLSchema;
  /** The operation's variable definitions, for Condition nodes. */
  readonly variableDefinitions: VariableDefinitions;
  /** Subgraph errors (with their paths in the response) and failed fetches, in the order they happened. */
  readonly errors: unknown[];
  /** The merged data of every fetch so far (the root of the response). */
  readonly data: Data;
  /** Create `gateway.fetch` spans (only when the request is traced: an unsampled span records nothing). */
  readonly traced: boolean;
  /** The deferred blocks (operations with `@defer` only): Defer nodes schedule their blocks here. */
  readonly deferral?: Deferral | undefined;
  /** In a deferred block: settles once the primaries of the Defer nodes around it have run. */
  readonly primaries?: Promise<unknown>;
}

interface Cursor {
  path: readonly (string | number)[];
  data: unknown;
}

/** Runs `node` (and its children); a failed fetch is recorded in `execution.errors`, never thrown. */
export async function executeNode(execution: PlanExecution, node: PlanNode, cursor: Cursor): Promise<void> {
  switch (node.kind) {
    case "Sequence":
      for (const child of node.nodes) await executeNode(execution, child, cursor);
      return;
    case "Parallel":
      await Promise.all(node.nodes.map((child) => executeNode(execution, child, cursor)));
      return;
    case "Flatten": {
      const data = flattenAtPath(cursor.data, node.path);
      // An empty list still runs its fetch (which then has no entity to ask for); null or missing data does not.
      if (data === undefined || data === null) return;
      return executeNode(execution, node.node, { path: [...cursor.path, ...node.path], data });
    }
    case "Fetch":
      try {
        await (execution.traced ? tracedFetch(execution, node, cursor) : executeFetch(execution, node, cursor));
      } catch (error) {
        execution.errors.push(error);
      } finally {
        if (node.id !== undefined) execution.deferral?.fetched(node.id);
      }
      return;
    case "Condition": {
      const branch = taken(execution, node) ? node.ifClause : node.elseClause;
      if (branch) await executeNode(execution, branch, cursor);
      return;
    }
    case "Defer": {
      const { deferral } = execution;
      // Only operations with @defer have Defer nodes, and their executions have a deferral.
      if (!deferral) throw new Error("@defer support is not available in the gateway");
      if (node.primary.node) deferral.expect(node.primary.node, (condition) => taken(execution, condition));
      const primary = node.primary.node ? executeNode(execution, node.primary.node, cursor) : Promise.resolve();
      // The fetches a block depends on are in this primary or an enclosing one: a block may start (its own
      // dependencies done) before the primaries around it end, and the blocks nested in it wait for those too.
      const primaries = execution.primaries ? Promise.allSettled([execution.primaries, primary]) : primary;
      // A block's plan starts at the root (its Flatten paths are absolute) and records its own errors.
      const run = (plan: PlanNode, errors: unknown[]) =>
        executeNode({ ...execution, errors, primaries }, plan, { path: [], data: execution.data });
      for (const deferred of node.deferred)
        deferral.schedule(
          deferred,
          primaries,
          execution.traced ? (plan, errors) => tracedBlock(deferred, () => run(plan, errors)) : run,
        );
      await primary;
      return;
    }
  }
}

function taken(execution: PlanExecution, node: ConditionNode): boolean {
  return evaluateCondition(node, execution.variableDefinitions, execution.requestContext.request.variables);
}

async function tracedBlock(node: DeferredNode, run: () => Promise<void>): Promise<void> {
  return tracer().startActiveSpan(
    "gateway.defer",
    { attributes: { "graphql.defer.path": node.queryPath.join(".") } },
    async (span: Span) => {
      try {
        await run();
      } finally {
        span.end();
      }
    },
  );
}

/**
 * The values at `path` below `value`. Each `@` stands for the elements of a list: the result is then the list of
 * what every element leads to, lists met at the end of the path spread into it (one level), nulls kept.
 */
function flattenAtPath(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (let index = 0; index < path.length; index++) {
    if (current === undefined || current === null) return current;
    const key = path[index];
    if (key === "@") {
      const found: unknown[] = [];
      collectElements(current, path, index, found);
      return found;
    }
    current = step(current, key);
  }
  return current;
}

/** Appends to `found` what each element of `list` (met at `path[at]`, an `@`) leads to. */
function collectElements(list: unknown, path: readonly (string | number)[], at: number, found: unknown[]): void {
  if (!Array.isArray(list)) throw new TypeError("value.flatMap is not a function");
  for (const element of list) {
    let current: unknown = element;
    let index = at + 1;
    for (; index < path.length && current !== undefined && current !== null; index++) {
      const key = path[index];
      if (key === "@") break;
      current = step(current, key);
    }
    if (index < path.length && current !== undefined && current !== null) collectElements(current, path, index, found);
    else if (Array.isArray(current)) for (const item of current) found.push(item);
    else found.push(current);
  }
}

function step(value: unknown, key: string | number | undefined): unknown {
  if (typeof key !== "string") throw new Error(`Unexpected ${typeof key} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${key}`);
  return Object.hasOwn(value as object, key) ? (value as Data)[key] : undefined;
}

async function tracedFetch(execution: PlanExecution, node: FetchNode, cursor: Cursor): Promise<void> {
  return tracer().startActiveSpan(
    "gateway.fetch",
    { attributes: { service: node.serviceName } },
    async (span: Span) => {
      try {
        await executeFetch(execution, node, cursor);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

async function executeFetch(execution: PlanExecution, node: FetchNode, cursor: Cursor): Promise<void> {
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

const MISSING = -1;

/**
 * Finds the representation an entity shares with an earlier one. When the fetch's `requires` is only leaf fields
 * (the usual `__typename id`, or with `@requires` fields), entities are matched on those values through nested
 * maps, without building a representation for the duplicates; otherwise on the representation's JSON. The
 * entity's own values (before input rewrites) decide: equal values give equal representations.
 */
class RepresentationIndex {
  private readonly byValues = new Map<unknown, unknown>();
  private byJson: Map<string, number> | undefined;
  /** Where `add` puts the next leaf: the map and key `find` stopped at. */
  private pending: { map: Map<unknown, unknown>; key: unknown } | undefined;

  constructor(private readonly key: RepresentationKey | undefined) {}

  /** The index of the entity's representation when an equal one was added; MISSING when it has none; else undefined. */
  find(entity: Data): number | undefined {
    this.pending = undefined;
    const key = this.key;
    if (!key) return undefined;
    // The usual `... on Product { __typename upc }`: an entity of another type has no representation.
    if (key.condition && !key.condition(entity, false)) return MISSING;
    const fields = key.fields;
    let map = this.byValues;
    for (let index = 0; index < fields.length; index++) {
      const name = fields[index]!;
      if (!Object.hasOwn(entity, name)) return MISSING;
      const value = entity[name];
      if (value === undefined) return MISSING;
      // A list or object value (a list-typed @requires field): matched on the JSON instead.
      if (value !== null && typeof value === "object") return undefined;
      const next = map.get(value);
      if (index === fields.length - 1) {
        if (next !== undefined) return next as number;
        this.pending = { map, key: value };
        return undefined;
      }
      if (next === undefined) {
        const created = new Map<unknown, unknown>();
        map.set(value, created);
        map = created;
      } else {
        map = next as Map<unknown, unknown>;
      }
    }
    return undefined;
  }

  /** Records the representation of an entity `find` did not match; returns its index (an earlier one if equal). */
  add(entity: Data, representation: Data, next: number): number {
    if (this.pending) {
      this.pending.map.set(this.pending.key, next);
      return next;
    }
    const key = `${String(entity.__typename)}\u0000${JSON.stringify(representation)}`;
    this.byJson ??= new Map();
    const known = this.byJson.get(key);
    if (known !== undefined) return known;
    this.byJson.set(key, next);
    return next;
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

/**
 * With de-duplicated representations, an error at `_entities.<i>` stands for every entity that shares the i-th
 * representation: it is repeated at each of their positions in the list @apollo/gateway would have sent (`sentAs`
 * maps each of those positions to the representation sent), in position order.
 */
function fanOut(
  errors: readonly GraphQLFormattedError[],
  sentAs: readonly number[] | undefined,
): GraphQLFormattedError[] {
  if (!sentAs) return [...errors];
  const indexed: { position: number; order: number; error: GraphQLFormattedError }[] = [];
  const unindexed: GraphQLFormattedError[] = [];
  errors.forEach((error, order) => {
    const unique = error.path?.[1];
    if (typeof unique !== "number" || unique < 0 || !sentAs.includes(unique)) {
      unindexed.push(error);
      return;
    }
    sentAs.forEach((sent, position) => {
      if (sent === unique)
        indexed.push({ position, order, error: { ...error, path: ["_entities", position, ...error.path!.slice(2)] } });
    });
  });
  indexed.sort((a, b) => a.position - b.position || a.order - b.order);
  return [...indexed.map((entry) => entry.error), ...unindexed];
}

type ErrorPath = (path: GraphQLFormattedError["path"]) => Path | undefined;

/**
 * The response path of a subgraph error: an `_entities.<i>` path becomes the path of the entity of the i-th
 * representation. `entityAt` maps representations to entities when some entities had none (a type condition left
 * them out): @apollo/gateway takes the i-th entity there, which is another one (often met in deferred fetches).
 */
function errorPaths(node: FetchNode, cursor: Cursor, data: Data, entityAt: readonly number[] | undefined): ErrorPath {
  let entityPaths: Path[] | undefined;
  return (path) => {
    if (node.requires && typeof path?.[1] === "number") {
      entityPaths ??= pathsOfEntities(cursor.path, data);
      const entity = entityAt ? entityAt[path[1]] : path[1];
      return [...(entity === undefined ? [] : (entityPaths[entity] ?? [])), ...path.slice(2)];
    }
    return path ? [...cursor.path, ...path] : undefined;
  };
}

/** The concrete path (list indexes filled in) of every non-null value at `path`, in document order. */
function pathsOfEntities(path: readonly (string | number)[], data: unknown): Path[] {
  const paths: Path[] = [];
  const walk = (value: unknown, from: number, prefix: Path): void => {
    if (value === null || value === undefined) return;
    if (from === path.length) {
      paths.push([...prefix]);
      return;
    }
    const key = path[from];
    if (key === "@" || (typeof key === "string" && Array.isArray(value))) {
      if (!Array.isArray(value)) throw new Error("expected array when encountering `@`");
      value.forEach((element: unknown, index) => {
        prefix.push(index);
        walk(element, key === "@" ? from + 1 : from, prefix);
        prefix.pop();
      });
    } else if (typeof key === "string") {
      if (Object.hasOwn(value as object, key)) {
        prefix.push(key);
        walk((value as Data)[key], from + 1, prefix);
        prefix.pop();
      }
    } else {
      throw new Error(`unknown path part "${String(key)}"`);
    }
  };
  walk(data, 0, []);
  return paths;
}

/** A subgraph error as the router reports it: its own code kept (else DOWNSTREAM_SERVICE_ERROR), `serviceName` added. */
function downstreamServiceError(original: GraphQLFormattedError, serviceName: string, path: ErrorPath): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = {
    originalError: original as unknown as Error,
    path: path(original.path),
    extensions: { ...original.extensions, serviceName },
  };
  const known = errorCodeDef(original);
  if (!known && original.extensions?.code) return forwardedSubgraphError(message, options);
  return (known ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

function isConcreteType(schema: GraphQLSchema, typename: unknown): boolean {
  return typeof typename === "string" && isObjectType(schema.getType(typename));
}

function isPresent(value: unknown): boolean {
  return value !== null && value !== undefined;
}

function isObject(value: unknown): value is Data {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function setOwn(object: Data, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/**
 * Merges subgraph data into the result tree: objects key by key, lists of equal length element by element (lists
 * of lists too: a deferred part may fetch a root field again, and its objects must stay the ones other fetches
 * merge into).
 */
export function deepMerge(target: Data, source: unknown): void {
  if (source === undefined || source === null) return;
  for (const key of Object.keys(source)) {
    const value = (source as Data)[key];
    if (value === undefined) continue;
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    // Already merged (an answer shared by several entities): merging an object into itself changes nothing.
    if (current === value) continue;
    if (current && isObject(value)) {
      deepMerge(current as Data, value);
    } else if (Array.isArray(value) && Array.isArray(current) && value.length === current.length) {
      mergeList(current, value);
    } else {
      setOwn(target, key, value);
    }
  }
}

function mergeList(target: unknown[], source: readonly unknown[]): void {
  for (let index = 0; index < source.length; index++) {
    const current = target[index];
    const value = source[index];
    if (isObject(current) && isObject(value)) deepMerge(current, value);
    else if (Array.isArray(current) && Array.isArray(value) && current.length === value.length)
      mergeList(current, value);
    else target[index] = value;
  }
}

interface CompiledFetch {
  supergraph: GraphQLSchema;
  /** The representation of an entity (`requires` applied to it); null when a required field is missing. */
  representation: ((entity: unknown) => Data | null) | undefined;
  /** When `requires` is only leaf fields (possibly in one type condition): entities are matched on their values. */
  key: RepresentationKey | undefined;
  inputRewrite: ((value: unknown) => void) | undefined;
  outputRewrite: ((value: unknown) => void) | undefined;
}

const compiledFetches = new WeakMap<FetchNode, CompiledFetch>();

/** What decides an entity's representation when `requires` is leaf fields only: those fields, in one type condition. */
interface RepresentationKey {
  condition: ((object: Data, whenUnknown: boolean) => boolean) | undefined;
  fields: readonly string[];
}

function representationKey(
  requires: readonly QueryPlanSelectionNode[],
  types: TypeMatcher,
): RepresentationKey | undefined {
  const leaves = (selections: readonly QueryPlanSelectionNode[]): string[] | undefined =>
    selections.every((selection) => selection.kind === "Field" && !selection.selections)
      ? selections.map((selection) => (selection.kind === "Field" ? (selection.alias ?? selection.name) : ""))
      : undefined;
  const [only] = requires;
  if (requires.length === 1 && only?.kind === "InlineFragment" && only.typeCondition) {
    const fields = leaves(only.selections);
    return fields ? { condition: types(only.typeCondition), fields } : undefined;
  }
  const fields = leaves(requires);
  return fields ? { condition: undefined, fields } : undefined;
}

function compiledFetch(node: FetchNode, supergraph: GraphQLSchema): CompiledFetch {
  const known = compiledFetches.get(node);
  if (known?.supergraph === supergraph) return known;
  const types = typeMatcher(supergraph);
  const compiled: CompiledFetch = {
    supergraph,
    representation: node.requires ? compileSelections(node.requires, types) : undefined,
    key: node.requires ? representationKey(node.requires, types) : undefined,
    inputRewrite: compileRewrites(node.inputRewrites, types),
    outputRewrite: compileRewrites(node.outputRewrites, types),
  };
  compiledFetches.set(node, compiled);
  return compiled;
}

/** Whether an object's `__typename` is the type condition or one of its possible types. */
type TypeMatcher = (condition: string) => (object: Data, whenUnknown: boolean) => boolean;

const matchers = new WeakMap<GraphQLSchema, Map<string, (object: Data, whenUnknown: boolean) => boolean>>();

function typeMatcher(schema: GraphQLSchema): TypeMatcher {
  let byCondition = matchers.get(schema);
  if (!byCondition) {
    byCondition = new Map();
    matchers.set(schema, byCondition);
  }
  const cache = byCondition;
  return (condition) => {
    let match = cache.get(condition);
    if (!match) {
      const names = new Set([condition]);
      const conditionType = schema.getType(condition);
      if (conditionType && isAbstractType(conditionType)) {
        for (const type of Object.values(schema.getTypeMap())) {
          if ((isObjectType(type) || isInterfaceType(type)) && schema.isSubType(conditionType, type))
            names.add(type.name);
        }
      }
      match = (object, whenUnknown) => {
        const typename = object.__typename;
        if (!typename) return whenUnknown;
        return typeof typename === "string" && names.has(typename);
      };
      cache.set(condition, match);
    }
    return match;
  };
}

/** Compiles a `requires` selection into a function extracting it from an entity. */
type SelectionStep =
  | { field: string; nested: ((source: unknown) => Data | null) | undefined }
  | { condition: (object: Data, whenUnknown: boolean) => boolean; nested: (source: unknown) => Data | null };

function compileSelections(
  selections: readonly QueryPlanSelectionNode[],
  types: TypeMatcher,
): (source: unknown) => Data | null {
  const steps: SelectionStep[] = [];
  for (const selection of selections) {
    if (selection.kind === "Field") {
      steps.push({
        field: selection.alias ?? selection.name,
        nested: selection.selections ? compileSelections(selection.selections, types) : undefined,
      });
    } else if (selection.typeCondition) {
      // Inline fragments without a type condition add nothing to a representation.
      steps.push({ condition: types(selection.typeCondition), nested: compileSelections(selection.selections, types) });
    }
  }
  const extract = (source: unknown): Data | null => {
    if (source === null) return null;
    const result: Data = {};
    for (const step of steps) {
      if ("field" in step) {
        const name = step.field;
        if (!Object.hasOwn(source as object, name)) return null;
        const value = (source as Data)[name];
        if (value === undefined) return null;
        const nested = step.nested;
        setOwn(
          result,
          name,
          Array.isArray(value) ? (nested ? value.map(nested) : value) : nested ? nested(value) : value,
        );
      } else if (source && step.condition(source as Data, false)) {
        deepMerge(result, step.nested(source));
      }
    }
    return result;
  };
  return extract;
}

const FRAGMENT_PREFIX = "... on ";

/** Compiles the input or output rewrites of a fetch (renamed keys, set values) into one function. */
function compileRewrites(
  rewrites: readonly FetchDataRewrite[] | undefined,
  types: TypeMatcher,
): ((value: unknown) => void) | undefined {
  if (!rewrites || rewrites.length === 0) return undefined;
  const compiled = rewrites.map((rewrite) => compileRewrite(rewrite, types)).filter((rewrite) => rewrite !== undefined);
  return (value) => {
    for (const rewrite of compiled) rewrite(value);
  };
}

function compileRewrite(rewrite: FetchDataRewrite, types: TypeMatcher): ((value: unknown) => void) | undefined {
  if (rewrite.path.length === 0) return undefined;
  const last = rewrite.path[rewrite.path.length - 1]!;
  if (last.startsWith(FRAGMENT_PREFIX))
    throw new Error(`Unexpected fragment as last element of ${rewrite.path.join(",")}`);
  const steps = rewrite.path
    .slice(0, -1)
    .map((element) =>
      element.startsWith(FRAGMENT_PREFIX)
        ? { condition: types(element.slice(FRAGMENT_PREFIX.length)) }
        : { field: element },
    );
  const apply: (object: Data) => void =
    rewrite.kind === "ValueSetter"
      ? (object) => setOwn(object, last, rewrite.setValueTo)
      : (object) => {
          const value = Object.hasOwn(object, last) ? object[last] : undefined;
          if (value) {
            setOwn(object, rewrite.renameKeyTo, value);
            setOwn(object, last, undefined);
          }
        };
  const walk = (value: unknown, from: number): void => {
    if (Array.isArray(value)) {
      for (const element of value) walk(element, from);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const object = value as Data;
    if (from === steps.length) {
      apply(object);
      return;
    }
    const step = steps[from]!;
    if ("field" in step) walk(Object.hasOwn(object, step.field!) ? object[step.field!] : undefined, from + 1);
    else if (step.condition(object, true)) walk(object, from + 1);
  };
  return (value) => walk(value, 0);
}
