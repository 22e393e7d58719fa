import type { GraphQLDataSource } from "@apollo/gateway";
import type { VariableDefinitions } from "@apollo/federation-internals";
import {
  evaluateCondition,
  type ConditionNode,
  type DeferredNode,
  type FetchNode,
  type PlanNode,
} from "@apollo/query-planner";
import type { GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import type { GraphQLSchema } from "graphql";
import { SpanStatusCode, type Span } from "@opentelemetry/api";
import { tracer } from "@commerce/telemetry";
import type { Data } from "./deepMerge.js";
import type { Deferral } from "./deferredDelivery.js";
import { executeFetch } from "./executeFetch.js";

/**
 * Runs a query plan of @apollo/query-planner: Sequence, Parallel, Flatten, Fetch (`executeFetch`), Condition and
 * Defer nodes (see `deferredDelivery`).
 * Subgraph data is merged into one tree (`data`), which `shapeResponse` then turns into the response.
 *
 * Two things differ from @apollo/gateway's executor, and neither changes a response: what depends only on the
 * plan (the `requires` selections, type conditions, rewrites) is compiled once per fetch node (`compiledFetch`),
 * and an entity fetch sends each distinct representation once (`RepresentationIndex`), then fans the answers and
 * errors out to every entity that shares it.
 */

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

/** Where a node runs: its path in the response, and the data there. */
export interface Cursor {
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
