import type { ConditionNode, DeferredNode, PlanNode } from "@apollo/query-planner";
import { GraphQLError } from "graphql";
import { clientLabel } from "./deferredOperation.js";
import type { ResponseShape } from "./responseShape.js";
import { shapeDeferredFragment, type DeferredFragment, type IntrospectionHandler } from "./shapeResponse.js";

/**
 * Incremental delivery (`@defer`) on top of the plan executor. The planner splits a deferred operation into Defer
 * nodes: a primary part, and deferred blocks that each name the fetches they depend on. The executor runs the
 * primary part, and each block as soon as its dependencies are done, all of them merging into the one data tree;
 * the response to the primary part is sent first, then a payload per block once it has run, shaped from the
 * deferred fragments of the operation (see `shapeDeferredFragment`). The merged payloads equal the response to
 * the same operation without `@defer`, except where a null propagates out of a deferred fragment: what was
 * already sent is not taken back, so that fragment's payload is null (as graphql-js does).
 */

/** One deferred block of the plan, once the executor met its Defer node. */
export interface DeferredBlock {
  readonly label: string;
  /** What its fetches failed with (subgraph errors at their response paths, failed calls), in order. */
  readonly errors: unknown[];
  /** Settles, never rejects, once its plan has run: its data is then in the execution's data. */
  readonly done: Promise<void>;
  /** True once `done` settled. */
  settled: boolean;
}

const noop = (): void => {};

/** The deferred blocks of one execution, by label, and the fetches they wait for. */
export class Deferral {
  readonly blocks = new Map<string, DeferredBlock>();
  private readonly fetches = new Map<string, { promise: Promise<void>; resolve: () => void; pending: number }>();

  /**
   * A Defer node's primary is about to run: the fetches with an id that it runs (its Conditions decided by `taken`)
   * are what blocks depend on. One id can name several fetches (the planner numbers each root field of a mutation
   * on its own), and a dependency is done once all of them are.
   */
  expect(primary: PlanNode, taken: (condition: ConditionNode) => boolean): void {
    const visit = (node: PlanNode): void => {
      switch (node.kind) {
        case "Sequence":
        case "Parallel":
          return node.nodes.forEach(visit);
        case "Flatten":
          return visit(node.node);
        case "Condition": {
          const branch = taken(node) ? node.ifClause : node.elseClause;
          if (branch) visit(branch);
          return;
        }
        case "Fetch":
          if (node.id !== undefined) this.fetch(node.id).pending++;
          return;
        // A nested Defer node counts its own primary when it runs; its blocks are not part of this one.
        default:
          return;
      }
    };
    visit(primary);
  }

  /** The fetch node with this `id` is done (whether it failed or not). */
  fetched(id: string): void {
    const fetch = this.fetch(id);
    if (--fetch.pending <= 0) fetch.resolve();
  }

  /**
   * Starts the block once the fetches it depends on are done or, at the latest, once `primaries` settles: the
   * primary parts of its Defer node and those around it (a fetch it names may not run at all: under a Condition not
   * taken, or over null data). `run` runs its plan, recording failed fetches in the given errors.
   */
  schedule(
    node: DeferredNode,
    primaries: Promise<unknown>,
    run: (plan: PlanNode, errors: unknown[]) => Promise<void>,
  ): void {
    const { label } = node;
    // deferredOperation labels every @defer, and the planner keeps the labels.
    if (label === undefined || this.blocks.has(label))
      throw new Error(`Deferred block without a label of its own (${String(label)})`);
    const errors: unknown[] = [];
    const dependencies = Promise.all(node.depends.map((dependency) => this.fetch(dependency.id).promise));
    const ready = Promise.race([dependencies, primaries.then(noop, noop)]);
    const block: DeferredBlock = {
      label,
      errors,
      settled: false,
      done: ready
        .then(() => (node.node ? run(node.node, errors) : undefined))
        .catch((error: unknown) => void errors.push(error))
        .finally(() => {
          block.settled = true;
        }),
    };
    this.blocks.set(label, block);
  }

  private fetch(id: string): { promise: Promise<void>; resolve: () => void; pending: number } {
    let known = this.fetches.get(id);
    if (!known) {
      let resolve = noop;
      const promise = new Promise<void>((settle) => (resolve = settle));
      known = { promise, resolve, pending: 0 };
      this.fetches.set(id, known);
    }
    return known;
  }
}

/** One deferred fragment's payload (errors not yet formatted). */
export interface DeferredPayloadItem {
  data?: Record<string, unknown> | null;
  path: (string | number)[];
  label?: string;
  errors?: unknown[];
  extensions?: Record<string, unknown>;
}

/** A subsequent payload: `hasNext` false on the last. */
export interface DeferredPayload {
  hasNext: boolean;
  incremental?: DeferredPayloadItem[];
}

export interface DeferredResponse {
  deferral: Deferral;
  shape: ResponseShape;
  variables: Readonly<Record<string, unknown>> | undefined;
  introspect: IntrospectionHandler;
  /** The deferred fragments met so far (shaping each payload adds the fragments nested in it). */
  found: DeferredFragment[];
  /** The errors of the first payload: a later one does not repeat them (see `errorKey`). */
  reported: readonly unknown[];
}

/**
 * The payloads after the first, each once blocks have run whose enclosing fragment was delivered: the payloads of
 * every such block then ready, one item per place its fragment applies (a deferred fragment in a list has one
 * per element), with the block's fetch errors at the item their path leads into.
 */
export async function* deferredPayloads(response: DeferredResponse): AsyncGenerator<DeferredPayload> {
  const { deferral, shape } = response;
  const delivered = new Set<string>();
  const reported = new Set(response.reported.map(errorKey));
  const deliverable = (block: DeferredBlock): boolean => {
    let parent = shape.deferredParents.get(block.label);
    // A fragment nested in one that was not deferred (its condition was false) waits for the nearest deferred one.
    while (parent !== undefined && !deferral.blocks.has(parent)) parent = shape.deferredParents.get(parent);
    return parent === undefined || delivered.has(parent);
  };
  for (;;) {
    const waiting = [...deferral.blocks.values()].filter((block) => !delivered.has(block.label) && deliverable(block));
    if (waiting.length === 0) return;
    if (!waiting.some((block) => block.settled)) await Promise.race(waiting.map((block) => block.done));
    const items: DeferredPayloadItem[] = [];
    for (const block of waiting) {
      if (!block.settled) continue;
      delivered.add(block.label);
      items.push(...itemsOf(block, response, reported));
    }
    const hasNext = deferral.blocks.size > delivered.size;
    if (items.length > 0 || !hasNext) yield { hasNext, ...(items.length > 0 ? { incremental: items } : {}) };
    if (!hasNext) return;
  }
}

function itemsOf(block: DeferredBlock, response: DeferredResponse, reported: Set<string>): DeferredPayloadItem[] {
  const { deferral, shape, variables, introspect, found } = response;
  const label = clientLabel(block.label);
  const items: DeferredPayloadItem[] = [];
  const valueErrors: GraphQLError[][] = [];
  const fragments = found.filter((fragment) => fragment.label === block.label && stillThere(fragment));
  for (const fragment of fragments) {
    const shaped = shapeDeferredFragment(shape, fragment, variables, introspect, { labels: deferral.blocks, found });
    items.push({ data: shaped.data, path: fragment.path, ...(label !== undefined ? { label } : {}) });
    valueErrors.push(shaped.errors);
  }
  // Fetch errors go to the item their path leads into (else the first); value errors only to items without one.
  for (const error of block.errors) {
    const key = errorKey(error);
    if (reported.has(key)) continue;
    reported.add(key);
    const path = error instanceof GraphQLError ? error.path : undefined;
    let item = path ? items.find((candidate) => startsWith(path, candidate.path)) : undefined;
    if (!item)
      item =
        items[0] ??
        (items[items.push({ path: [], ...(label !== undefined ? { label } : {}) }) - 1] as DeferredPayloadItem);
    (item.errors ??= []).push(error);
  }
  items.forEach((item, index) => {
    const errors = valueErrors[index];
    if (!item.errors && errors && errors.length > 0) item.extensions = { valueCompletion: errors };
  });
  return items;
}

/**
 * What tells errors apart for a client: the message and path. A field both outside and inside a deferred fragment
 * is fetched twice (once for each payload) and may fail twice: the response to the operation without `@defer`,
 * which fetched it once, has the error once, and so does the deferred response.
 */
function errorKey(error: unknown): string {
  if (!(error instanceof GraphQLError)) return `${String(error)}`;
  return `${JSON.stringify(error.path ?? null)}\u0000${error.message}`;
}

/** Whether the object the fragment applies to is still in its payload (a null may have propagated over it). */
function stillThere(fragment: DeferredFragment): boolean {
  let value: unknown = fragment.owner.data;
  for (let index = fragment.owner.path.length; index < fragment.path.length; index++) {
    if (value === null || typeof value !== "object") return false;
    value = (value as Record<string | number, unknown>)[fragment.path[index]!];
  }
  return value !== null && typeof value === "object";
}

function startsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((key, index) => path[index] === key);
}
