import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Kind,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  print,
  typeFromAST,
  visit,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import {
  BENCHMARK_GRAPH,
  BENCHMARK_QUERY,
  EDGE_GRAPH,
  benchmarkSubgraphSchemas,
  repoGraph,
  type SubgraphDefinition,
} from "../fixtures/executorGraphs.js";
import { subgraphSchemas } from "../fixtures/subgraphs.js";
import { mergeIncremental } from "../fixtures/incremental.js";
import { startOracle, type Tamper } from "./oracle.js";
import { randomOperations } from "./randomOperations.js";

type Oracle = Awaited<ReturnType<typeof startOracle>>;

/** Runs every operation through both executors and expects the same JSON; returns the native results. */
async function expectSameResults(
  oracle: Oracle,
  operations: { query: string; variables?: Record<string, unknown>; operationName?: string }[],
) {
  const results = [];
  for (const operation of operations) {
    const run = await oracle.run(operation);
    expect(run.native, operation.query).toBe(run.apollo);
    results.push(run.result);
  }
  return results;
}

/** How much of the executor the results exercised, so that "identical" never means "both empty". */
function coverage(results: Awaited<ReturnType<typeof expectSameResults>>) {
  return {
    withData: results.filter((r) => r.data !== null && r.data !== undefined).length,
    withErrors: results.filter((r) => (r.errors?.length ?? 0) > 0).length,
    withEntityErrors: results.filter((r) =>
      r.errors?.some((e) => e.extensions?.serviceName !== undefined && (e.path?.length ?? 0) > 1),
    ).length,
    nulledByPropagation: results.filter((r) => r.data === null && r.errors?.length).length,
  };
}

const REPO_OPERATIONS = fileURLToPath(new URL("../../../operations/", import.meta.url));

function operationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? operationFiles(join(dir, entry.name))
      : entry.name.endsWith(".graphql")
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Made-up values for an operation's variables (every required one, some optional ones). */
function variablesFor(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> {
  const value = (type: GraphQLInputType, depth = 0): unknown => {
    if (isNonNullType(type)) return value(type.ofType, depth);
    if (isListType(type)) return [value(type.ofType, depth)];
    if (isEnumType(type)) return type.getValues()[0]?.value;
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields()).filter((field) => isNonNullType(field.type));
      return Object.fromEntries(fields.map((field) => [field.name, depth > 3 ? null : value(field.type, depth + 1)]));
    }
    switch (type.name) {
      case "Int":
        return 3;
      case "Float":
        return 2.5;
      case "Boolean":
        return true;
      case "DateTime":
        return "2024-05-01T00:00:00.000Z";
      default:
        return `${type.name.toLowerCase()}-1`;
    }
  };
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (type && (isNonNullType(type) || !definition.defaultValue))
      variables[definition.variable.name.value] = value(type);
  }
  return variables;
}

describe.each<[string, SubgraphDefinition[], number]>([
  ["edge-case graph", EDGE_GRAPH, 150],
  ["benchmark graph", BENCHMARK_GRAPH, 60],
  ["repo graph", repoGraph(), 120],
])("native executor on the %s (mock subgraphs)", (_name, graph, count) => {
  let oracle: Oracle;
  beforeAll(async () => {
    oracle = await startOracle(graph);
  });
  afterAll(() => oracle.stop());

  it("answers generated operations exactly as @apollo/gateway does", { timeout: 120_000 }, async () => {
    const operations = randomOperations(oracle.apiSchema, { count, seed: count });
    expect(operations.length).toBe(count);
    const results = await expectSameResults(oracle, operations);
    const seen = coverage(results);
    expect(seen.withData).toBeGreaterThan(count / 2);
    expect(seen.withErrors).toBeGreaterThan(0);
    expect(seen.withEntityErrors).toBeGreaterThan(0);
    expect(oracle.calls.native.some((call) => call.representations > 0)).toBe(true);
  });
});

describe("native executor on the benchmark's TestQuery (the benchmark's data)", () => {
  let oracle: Oracle;
  beforeAll(async () => {
    oracle = await startOracle(BENCHMARK_GRAPH, { schemas: benchmarkSubgraphSchemas() });
  });
  afterAll(() => oracle.stop());

  it("gives the same response while sending each distinct representation once", async () => {
    const [result] = await expectSameResults(oracle, [{ query: BENCHMARK_QUERY, operationName: "TestQuery" }]);
    expect(JSON.stringify(result?.data).length).toBeGreaterThan(1000);
    const sent = (calls: { representations: number }[]) => calls.reduce((sum, call) => sum + call.representations, 0);
    expect(oracle.calls.native.length).toBe(oracle.calls.apollo.length);
    expect(sent(oracle.calls.native)).toBeLessThan(sent(oracle.calls.apollo));
  });
});

describe("native executor on the repo's client operations (operations/**/*.graphql, mock subgraphs)", () => {
  let oracle: Oracle;
  beforeAll(async () => {
    oracle = await startOracle(repoGraph());
  });
  afterAll(() => oracle.stop());

  it("answers every operation exactly as @apollo/gateway does", { timeout: 60_000 }, async () => {
    const files = operationFiles(REPO_OPERATIONS);
    expect(files.length).toBeGreaterThan(10);
    const operations = files.flatMap((file) => {
      const document = parse(readFileSync(file, "utf8"));
      return (
        document.definitions
          .filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)
          // The gateway's executor cannot run subscriptions (test/subscriptions runs them over their streams).
          .filter((operation) => operation.operation !== "subscription")
          .map((operation) => ({
            query: readFileSync(file, "utf8"),
            operationName: operation.name?.value,
            variables: variablesFor(oracle.apiSchema, operation),
          }))
      );
    });
    // Deferred operations: the same operation without @defer through both, and merged, the native executor's
    // incremental response equals it.
    const deferred = operations.filter((operation) => /@defer\b/.test(operation.query));
    expect(deferred.length).toBeGreaterThan(0);
    const results = await expectSameResults(
      oracle,
      operations.map((operation) => ({ ...operation, query: withoutDefer(operation.query) })),
    );
    for (const operation of deferred) {
      const plain = (await oracle.run({ ...operation, query: withoutDefer(operation.query) })).result;
      const incremental = await oracle.runIncremental(operation);
      expect(incremental.subsequent.length, operation.operationName).toBeGreaterThan(0);
      const merged = mergeIncremental(incremental);
      expect({ data: merged.data, errors: merged.errors }, operation.operationName).toEqual({
        data: plain.data,
        errors: plain.errors ?? [],
      });
    }
    expect(coverage(results).withData).toBeGreaterThan(operations.length / 2);
  });
});

/** The operation without its `@defer`s. */
function withoutDefer(query: string): string {
  return print(visit(parse(query), { Directive: (node) => (node.name.value === "defer" ? null : undefined) }));
}

describe("native executor on the router tests' subgraphs (real resolvers)", () => {
  let oracle: Oracle;
  beforeAll(async () => {
    const schemas = subgraphSchemas();
    const graph: SubgraphDefinition[] = [
      { name: "accounts", typeDefs: ACCOUNTS_SDL },
      { name: "catalog", typeDefs: CATALOG_SDL },
    ];
    oracle = await startOracle(graph, { schemas });
  });
  afterAll(() => oracle.stop());

  it("answers the operations of the router tests exactly as @apollo/gateway does", async () => {
    await expectSameResults(oracle, [
      { query: "{ products { edges { node { id name price rating } } } }" },
      { query: "query One($id: ID!) { product(id: $id) { id name price description } }", variables: { id: "p1" } },
      { query: '{ product(id: "missing") { id } }' },
      { query: "{ broken }" },
      { query: "{ secret { code } }" },
      { query: "{ me { id name favorites { id name price } } }" },
      {
        query:
          "{ __typename products(first: 1) { __typename edges { cursor: __typename node { kind: __typename id } } } }",
      },
    ]);
  });
});

const ACCOUNTS_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { me: User }
  type User @key(fields: "id") { id: ID! name: String! email: String internalNote: String! favorites: [Product!]! }
  type Product @key(fields: "id", resolvable: false) { id: ID! }`;
const CATALOG_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { product(id: ID!): Product products(first: Int = 5): ProductConnection! secret: Secret broken: String }
  type ProductConnection { edges: [ProductEdge!]! }
  type ProductEdge { node: Product! }
  type Product @key(fields: "id") { id: ID! name: String! price: Int! supplierCost: Int rating: Float description: String! }
  type Secret { code: String! }`;

/** Subgraphs that break the contract, the same way for both executors. */
describe("native executor when a subgraph answers something the schema does not allow", () => {
  const cases: { name: string; query: string; variables?: Record<string, unknown>; tamper: Tamper }[] = [
    {
      name: "an invalid leaf value in a non-null field (null propagates to the nullable parent)",
      query: "{ media { id title } }",
      tamper: (service, _request, response) => {
        if (service === "media" && Array.isArray((response.data as { media?: unknown[] })?.media))
          (response.data as { media: { title: unknown }[] }).media[0]!.title = 42;
        return response;
      },
    },
    {
      name: "a value outside an enum",
      query: '{ search(text: "a") { ... on Book { id format } } }',
      tamper: (service, _request, response) => {
        for (const item of (response.data as { search?: { __typename: string; format?: unknown }[] } | undefined)
          ?.search ?? []) {
          if (service === "media" && item.__typename === "Book") item.format = "SCROLL";
        }
        return response;
      },
    },
    {
      name: "an unknown __typename",
      query: '{ search(text: "x") { __typename ... on Book { id title } ... on Shelf { name } } }',
      tamper: (service, _request, response) => {
        const search = (response.data as { search?: { __typename: string }[] } | undefined)?.search;
        if (service === "media" && search?.[0]) search[0].__typename = "Spaceship";
        return response;
      },
    },
    {
      name: "an entity list of the wrong length",
      query: "{ media(first: 3) { id rating } }",
      tamper: (service, _request, response) => {
        const entities = (response.data as { _entities?: unknown[] } | undefined)?._entities;
        if (service === "ratings" && entities) entities.pop();
        return response;
      },
    },
    {
      name: "an object where the schema has a list",
      query: "{ media { id } }",
      tamper: (service, _request, response) =>
        service === "media" ? { data: { media: { id: "1", __typename: "Book" } } } : response,
    },
    {
      name: "errors without a path, with an entity path, and with a code",
      query: "{ media(first: 3) { id title rating reviews { score } } }",
      tamper: (service, _request, response) =>
        service === "ratings"
          ? {
              ...response,
              errors: [
                { message: "ratings degraded" },
                { message: "no rating", path: ["_entities", 1, "rating"], extensions: { code: "RATING_UNAVAILABLE" } },
                { message: "", path: ["_entities", 0, "reviews"] },
              ],
            }
          : response,
    },
    {
      name: "a subgraph whose data is null for a non-null root field",
      query: '{ user(id: "u1") { id name } me { id } }',
      tamper: (service, _request, response) =>
        service === "users"
          ? { data: { user: null, me: null }, errors: [{ message: "user store down", path: ["user"] }] }
          : response,
    },
    {
      name: "a non-null field of an entity left out by a failed entity fetch",
      query: "{ media(first: 2) { id topReview { score } } }",
      tamper: (service, _request, response) =>
        service === "ratings" ? { errors: [{ message: "ratings down" }] } : response,
    },
  ];

  it.each(cases)("$name", async ({ query, variables, tamper }) => {
    const oracle = await startOracle(EDGE_GRAPH, { tamper });
    try {
      const [result] = await expectSameResults(oracle, [{ query, ...(variables ? { variables } : {}) }]);
      expect(
        result?.errors ?? (result?.extensions as { valueCompletion?: unknown[] } | undefined)?.valueCompletion,
      ).toBeDefined();
    } finally {
      await oracle.stop();
    }
  });

  it("a subgraph that cannot be reached", async () => {
    const oracle = await startOracle(EDGE_GRAPH, {
      tamper: (service, _request, response) => {
        if (service === "ratings") throw new Error("connect ECONNREFUSED 127.0.0.1:4002");
        return response;
      },
    });
    try {
      const [result] = await expectSameResults(oracle, [{ query: "{ media(first: 2) { id title rating } }" }]);
      expect(result?.errors?.[0]?.message).toContain("ECONNREFUSED");
    } finally {
      await oracle.stop();
    }
  });
});
