import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { ERRORS, errorCodeDef, type VariableDefinitions } from "@apollo/federation-internals";
import { evaluateCondition, type FetchDataRewrite, type FetchNode, type PlanNode, type QueryPlanSelectionNode } from "@apollo/query-planner";
import type { GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import { GraphQLError, isAbstractType, isInterfaceType, isObjectType, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { SpanStatusCode, type Span } from "@opentelemetry/api";
import { tracer } from "@commerce/telemetry";

/**
 * Runs a query plan of @apollo/query-planner: Sequence, Parallel, Flatten, Fetch (root fields, or entities from
 * representations built with the fetch's `requires`, with its input and output rewrites) and Condition nodes.
 * Subgraph data is merged into one tree (`data`), which `shapeResponse` then turns into the response. Subgraphs are
 * only called through their data source's `process()`, so the data plane's policies apply to every fetch.
 *
 * Two things differ from @apollo/gateway's executor, and neither changes a response: what depends only on the
 * plan (the `requires` selections, type conditions, rewrites) is compiled once per fetch node, and an entity fetch
 * sends each distinct representation once (the subgraph answers each entity from its representation alone), then
 * fans the answers and errors out to every entity that shares it.
 */

type Path = (string | number)[];
const INCOMING_OPERATION = "incoming operation" as Extract<GraphQLDataSourceProcessOptions, { incomingRequestContext: unknown }>["kind"];
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
      }
      return;
    case "Condition": {
      const branch = evaluateCondition(node, execution.variableDefinitions, execution.requestContext.request.variables) ? node.ifClause : node.elseClause;
      if (branch) await executeNode(execution, branch, cursor);
      return;
    }
    case "Defer":
      // Planned only when the planner's incremental delivery is enabled, which the router never turns on.
      throw new Error("@defer support is not available in the gateway");
  }
}

/** The values at `path` below `value`; `@` flattens a list (one level per `@`). */
function flattenAtPath(value: unknown, path: readonly (string | number)[], from = 0): unknown {
  if (from === path.length || value === undefined || value === null) return value;
  const key = path[from];
  if (key === "@") {
    if (!Array.isArray(value)) throw new TypeError("Expected a list in the result for path element @");
    return value.flatMap((element: unknown) => flattenAtPath(element, path, from + 1));
  }
  if (typeof key !== "string") throw new Error(`Unexpected ${typeof key} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${key}`);
  return flattenAtPath(Object.hasOwn(value as object, key) ? (value as Data)[key] : undefined, path, from + 1);
}

async function tracedFetch(execution: PlanExecution, node: FetchNode, cursor: Cursor): Promise<void> {
  return tracer().startActiveSpan("gateway.fetch", { attributes: { service: node.serviceName } }, async (span: Span) => {
    try {
      await executeFetch(execution, node, cursor);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

async function executeFetch(execution: PlanExecution, node: FetchNode, cursor: Cursor): Promise<void> {
  const service = execution.serviceMap[node.serviceName];
  if (!service) throw new Error(`Couldn't find service with name "${node.serviceName}"`);
  const entities: Data[] = Array.isArray(cursor.data) ? (cursor.data as unknown[]).filter(isPresent) as Data[] : [cursor.data as Data];
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
  // One representation per distinct entity (its key and required fields, and its own type: input rewrites may
  // give entities of different types one representation). `entitiesOf[i]` are the entities of the i-th distinct
  // representation, `positionsOf[i]` its positions in the list @apollo/gateway would send (for error paths).
  const representations: Data[] = [];
  const entitiesOf: Data[][] = [];
  const positionsOf: number[][] = [];
  const byKey = new Map<string, number>();
  const seen = new Set<Data>();
  let sent = 0;
  for (const entity of entities) {
    const representation = fetch.representation(entity);
    if (!representation?.__typename) continue;
    fetch.inputRewrite?.(representation);
    const key = `${String(entity.__typename)}\u0000${JSON.stringify(representation)}`;
    const known = byKey.get(key);
    if (known === undefined) {
      byKey.set(key, representations.length);
      representations.push(representation);
      entitiesOf.push([entity]);
      positionsOf.push([sent]);
    } else {
      // The same object met twice (an entity shared by two parents after an earlier merge) is merged once.
      if (!seen.has(entity)) entitiesOf[known]!.push(entity);
      positionsOf[known]!.push(sent);
    }
    seen.add(entity);
    sent++;
  }
  if (representations.length === 0) return;
  if ("representations" in variables) throw new Error(`Variables cannot contain key "representations"`);
  const received = await send(execution, service, node, cursor, { ...variables, representations }, sent === representations.length ? undefined : positionsOf);
  if (!received) return;
  const answers = received._entities;
  if (!Array.isArray(answers)) throw new Error(`Expected "data._entities" in response to be an array`);
  if (answers.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${sent} elements`);
  for (let unique = 0; unique < answers.length; unique++) {
    const answer = answers[unique] as Data | null | undefined;
    const targets = entitiesOf[unique]!;
    if (answer && !answer.__typename) answer.__typename = targets[0]!.__typename;
    fetch.outputRewrite?.(answer);
    for (const target of targets) deepMerge(target, answer);
  }
}

/**
 * Calls the subgraph and records its errors with their paths in the response. `owners` (when representations were
 * de-duplicated) maps the i-th representation sent to the positions it stands for in the un-deduplicated list.
 */
async function send(
  execution: PlanExecution,
  service: GraphQLDataSource<Record<string, unknown>>,
  node: FetchNode,
  cursor: Cursor,
  variables: Data,
  owners: number[][] | undefined,
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
    const paths = errorPaths(node, cursor, execution.data);
    for (const error of fanOut(errors, owners)) execution.errors.push(downstreamServiceError(error, node.serviceName, paths));
    if (!response.extensions?.ftv1) {
      const metrics = requestContext.metrics as { nonFtv1ErrorPaths?: { subgraph: string; path: GraphQLFormattedError["path"] }[] };
      const recorded = errors.map((error) => ({ subgraph: node.serviceName, path: error.path }));
      if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...recorded);
      else metrics.nonFtv1ErrorPaths = recorded;
    }
  }
  return response.data as Data | null | undefined;
}

/**
 * With de-duplicated representations, an error at `_entities.<i>` stands for every entity that shares the i-th
 * representation: it is repeated at each of their positions, in position order, as the subgraph would have
 * reported it for the full list.
 */
function fanOut(errors: readonly GraphQLFormattedError[], owners: number[][] | undefined): GraphQLFormattedError[] {
  if (!owners) return [...errors];
  const indexed: { position: number; order: number; error: GraphQLFormattedError }[] = [];
  const unindexed: GraphQLFormattedError[] = [];
  errors.forEach((error, order) => {
    const unique = error.path?.[1];
    const positions = typeof unique === "number" ? owners[unique] : undefined;
    if (!positions) {
      unindexed.push(error);
      return;
    }
    for (const position of positions) indexed.push({ position, order, error: { ...error, path: ["_entities", position, ...error.path!.slice(2)] } });
  });
  indexed.sort((a, b) => a.position - b.position || a.order - b.order);
  return [...indexed.map((entry) => entry.error), ...unindexed];
}

type ErrorPath = (path: GraphQLFormattedError["path"]) => Path | undefined;

/** The response path of a subgraph error: an `_entities.<i>` path becomes the path of the i-th entity. */
function errorPaths(node: FetchNode, cursor: Cursor, data: Data): ErrorPath {
  let entityPaths: Path[] | undefined;
  return (path) => {
    if (node.requires && typeof path?.[1] === "number") {
      entityPaths ??= pathsOfEntities(cursor.path, data);
      return [...(entityPaths[path[1]] ?? []), ...path.slice(2)];
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
  if (!known && original.extensions?.code) return new GraphQLError(message, options);
  return (known ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

function isPresent(value: unknown): boolean {
  return value !== null && value !== undefined;
}

function isObject(value: unknown): value is Data {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function setOwn(object: Data, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/** Merges subgraph data into the result tree: objects key by key, lists of equal length element by element. */
export function deepMerge(target: Data, source: unknown): void {
  if (source === undefined || source === null) return;
  for (const key of Object.keys(source)) {
    const value = (source as Data)[key];
    if (value === undefined) continue;
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    if (current && isObject(value)) {
      deepMerge(current as Data, value);
    } else if (Array.isArray(value) && Array.isArray(current) && value.length === current.length) {
      for (let index = 0; index < value.length; index++) {
        if (isObject(current[index]) && isObject(value[index])) deepMerge(current[index] as Data, value[index]);
        else current[index] = value[index];
      }
    } else {
      setOwn(target, key, value);
    }
  }
}

interface CompiledFetch {
  supergraph: GraphQLSchema;
  /** The representation of an entity (`requires` applied to it); null when a required field is missing. */
  representation: ((entity: unknown) => Data | null) | undefined;
  inputRewrite: ((value: unknown) => void) | undefined;
  outputRewrite: ((value: unknown) => void) | undefined;
}

const compiledFetches = new WeakMap<FetchNode, CompiledFetch>();

function compiledFetch(node: FetchNode, supergraph: GraphQLSchema): CompiledFetch {
  const known = compiledFetches.get(node);
  if (known?.supergraph === supergraph) return known;
  const types = typeMatcher(supergraph);
  const compiled: CompiledFetch = {
    supergraph,
    representation: node.requires ? compileSelections(node.requires, types) : undefined,
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
          if ((isObjectType(type) || isInterfaceType(type)) && schema.isSubType(conditionType, type)) names.add(type.name);
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

function compileSelections(selections: readonly QueryPlanSelectionNode[], types: TypeMatcher): (source: unknown) => Data | null {
  const steps: SelectionStep[] = [];
  for (const selection of selections) {
    if (selection.kind === "Field") {
      steps.push({ field: selection.alias ?? selection.name, nested: selection.selections ? compileSelections(selection.selections, types) : undefined });
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
        setOwn(result, name, Array.isArray(value) ? (nested ? value.map(nested) : value) : nested ? nested(value) : value);
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
function compileRewrites(rewrites: readonly FetchDataRewrite[] | undefined, types: TypeMatcher): ((value: unknown) => void) | undefined {
  if (!rewrites || rewrites.length === 0) return undefined;
  const compiled = rewrites.map((rewrite) => compileRewrite(rewrite, types)).filter((rewrite) => rewrite !== undefined);
  return (value) => {
    for (const rewrite of compiled) rewrite(value);
  };
}

function compileRewrite(rewrite: FetchDataRewrite, types: TypeMatcher): ((value: unknown) => void) | undefined {
  if (rewrite.path.length === 0) return undefined;
  const last = rewrite.path[rewrite.path.length - 1]!;
  if (last.startsWith(FRAGMENT_PREFIX)) throw new Error(`Unexpected fragment as last element of ${rewrite.path.join(",")}`);
  const steps = rewrite.path
    .slice(0, -1)
    .map((element) => (element.startsWith(FRAGMENT_PREFIX) ? { condition: types(element.slice(FRAGMENT_PREFIX.length)) } : { field: element }));
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
