import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, print, validate, visit } from "graphql";
import type { GraphQLFormattedError } from "graphql";
import { schemaWithDefer } from "@commerce/analysis";
import { EDGE_GRAPH, repoGraph, type SubgraphDefinition } from "../fixtures/executorGraphs.js";
import { isObject, mergeIncremental } from "../fixtures/incremental.js";
import { startOracle } from "./oracle.js";
import { randomOperations, withRandomDefers } from "./randomOperations.js";

type Oracle = Awaited<ReturnType<typeof startOracle>>;

/**
 * Errors as a sorted list of what a client can tell apart, but for errors of fields the response does not have
 * (their object is there, without the field): @apollo/gateway reports what a subgraph says about a field it
 * fetched for an abstract type's other members, and the plan of the same operation with `@defer` fetches other
 * fields for other types.
 */
const errorKeys = (errors: readonly GraphQLFormattedError[] | undefined, data: unknown): string[] =>
  (errors ?? [])
    .filter((error) => !overfetched(error.path, data))
    .map((error) => `${JSON.stringify(error.path ?? null)} ${String(error.extensions?.code)} ${error.message}`)
    .sort();

function overfetched(path: readonly (string | number)[] | undefined, data: unknown): boolean {
  if (!path || path.length === 0) return false;
  let parent: unknown = data;
  for (const key of path.slice(0, -1))
    parent = isObject(parent) || Array.isArray(parent) ? (parent as Record<string | number, unknown>)[key] : undefined;
  return isObject(parent) && !Object.hasOwn(parent, path[path.length - 1]!);
}

interface Seen {
  deferred: number;
  items: number;
  moreItemsThanPayloads: number;
  withDeferredErrors: number;
  labelled: number;
}

/**
 * Sends each operation with random `@defer`s to the native executor and the same operation without them to both
 * executors (which must agree); the incremental response, merged as a client merges it, must equal the plain one.
 */
async function expectSameMerged(
  oracle: Oracle,
  operations: { query: string; variables?: Record<string, unknown> }[],
  seed: number,
): Promise<Seen> {
  const seen: Seen = { deferred: 0, items: 0, moreItemsThanPayloads: 0, withDeferredErrors: 0, labelled: 0 };
  const schema = schemaWithDefer(oracle.apiSchema);
  let index = 0;
  for (const operation of operations) {
    const deferred = withRandomDefers(operation.query, seed * 1000 + index++);
    expect(validate(schema, parse(deferred.query)), deferred.query).toEqual([]);
    const plain = await oracle.run(operation);
    expect(plain.native, operation.query).toBe(plain.apollo);
    const variables = { ...operation.variables, ...deferred.variables };
    const run = await oracle.runIncremental({ query: deferred.query, variables });
    const merged = mergeIncremental(run);
    const context = `${deferred.query}\n${JSON.stringify(variables)}\n${JSON.stringify(run, null, 1)}`;
    expect(merged.misplaced, context).toEqual([]);
    expect(merged.data, context).toEqual(plain.result.data);
    expect(errorKeys(merged.errors, merged.data), context).toEqual(errorKeys(plain.result.errors, plain.result.data));
    if (run.subsequent.length === 0) continue;
    seen.deferred++;
    expect(run.initial.hasNext, context).toBe(true);
    expect(
      run.subsequent.map((payload) => payload.hasNext),
      context,
    ).toEqual([...run.subsequent.map(() => true).slice(1), false]);
    const items = run.subsequent.flatMap((payload) => payload.incremental ?? []);
    seen.items += items.length;
    if (items.length > run.subsequent.length) seen.moreItemsThanPayloads++;
    if (items.some((item) => item.errors?.length)) seen.withDeferredErrors++;
    if (items.some((item) => item.label !== undefined)) seen.labelled++;
  }
  return seen;
}

describe.each<[string, SubgraphDefinition[], number]>([
  ["edge-case graph", EDGE_GRAPH, 80],
  ["repo graph", repoGraph(), 80],
])("@defer through the native executor on the %s (mock subgraphs)", (_name, graph, count) => {
  let oracle: Oracle;
  beforeAll(async () => {
    oracle = await startOracle(graph);
  });
  afterAll(() => oracle.stop());

  it("merges into the response to the same operation without @defer", { timeout: 120_000 }, async () => {
    const operations = randomOperations(oracle.apiSchema, { count, seed: count + 7 });
    const seen = await expectSameMerged(oracle, operations, count);
    expect(seen.deferred).toBeGreaterThan(count / 3);
    expect(seen.moreItemsThanPayloads).toBeGreaterThan(0);
    expect(seen.withDeferredErrors).toBeGreaterThan(0);
    expect(seen.labelled).toBeGreaterThan(0);
  });
});

describe("@defer in a mutation through the native executor (repo graph, mock subgraphs)", () => {
  let oracle: Oracle;
  beforeAll(async () => {
    oracle = await startOracle(repoGraph());
  });
  afterAll(() => oracle.stop());

  it("runs a deferred fragment once the fetch it depends on has run, when the planner gave two fetches its id", async () => {
    // Planned with $inner true and $outer false, the accounts fetch (logIn, removeFavorite) and the orders fetch
    // (updateOrderStatus) both have id 0 and run in sequence; `number` depends on the second.
    const query = `mutation Statuses($inner: Boolean!, $outer: Boolean!) {
      logIn(input: { email: "a@example.com", password: "secret" }) { user { ... @defer(label: "user") { displayName } } accessToken }
      removeFavorite(input: { productId: "p1" }) { user { id } }
      updateOrderStatus(input: { orderId: "o1", status: PREPARING }) {
        ... @defer(if: $outer) { order { ... @defer(label: "number", if: $inner) { number } total { amount } } }
      }
    }`;
    const variables = { inner: true, outer: false };
    const withoutDefer = visit(parse(query), {
      Directive: (node) => (node.name.value === "defer" ? null : undefined),
      VariableDefinition: () => null,
    });
    const plain = await oracle.run({ query: print(withoutDefer) });
    const run = await oracle.runIncremental({ query, variables });
    expect(
      run.subsequent
        .flatMap((payload) => payload.incremental ?? [])
        .map((item) => item.label)
        .sort(),
    ).toEqual(["number", "user"]);
    expect(mergeIncremental(run)).toEqual({ data: plain.result.data, errors: [], misplaced: [] });
    expect(plain.result.data).toMatchObject({ updateOrderStatus: { order: { number: expect.any(Number) } } });
  });
});
