import { composeServices } from "@apollo/composition";
import { Supergraph } from "@apollo/federation-internals";
import { ApolloGateway, LocalGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import {
  ApolloServer,
  type GraphQLExperimentalFormattedSubsequentIncrementalExecutionResultAlpha2 as SubsequentResult,
  type GraphQLRequest,
} from "@apollo/server";
import { prepareSupergraph } from "@commerce/analysis";
import { isInterfaceType, parse, type GraphQLSchema } from "graphql";
import { useNativeExecutor } from "../../src/executor/nativeExecutor.js";
import { incrementalDeliveryPlugin } from "../../src/plugins/incrementalDelivery.js";
import type { SubgraphDefinition } from "../fixtures/executorGraphs.js";
import type { IncrementalResponse } from "../fixtures/incremental.js";
import { mockSubgraph } from "../fixtures/mockSubgraph.js";

type SubgraphResponse = Awaited<ReturnType<LocalGraphQLDataSource["process"]>>;

/** Rewrites what a subgraph answered (to simulate a subgraph that breaks the contract); runs for both executors. */
export type Tamper = (
  service: string,
  request: GraphQLDataSourceProcessOptions["request"],
  response: SubgraphResponse,
) => SubgraphResponse;

class TamperedDataSource extends LocalGraphQLDataSource {
  constructor(
    schema: GraphQLSchema,
    private readonly service: string,
    private readonly tamper: Tamper | undefined,
    private readonly calls: { service: string; representations: number }[],
    private readonly interfaces: ReadonlySet<string> | undefined,
  ) {
    super(schema);
  }

  override async process(options: GraphQLDataSourceProcessOptions): Promise<SubgraphResponse> {
    const representations = options.request.variables?.representations;
    this.calls.push({
      service: this.service,
      representations: Array.isArray(representations) ? representations.length : 0,
    });
    const response = await super.process(options);
    const tampered = this.tamper ? this.tamper(this.service, options.request, structuredClone(response)) : response;
    if (this.interfaces) withoutInterfaceTypenames(tampered, this.interfaces);
    return tampered;
  }
}

/**
 * Works around an @apollo/gateway bug the router's executor does not have: an @interfaceObject subgraph's entity
 * answers the interface as its `__typename` when the planner asked for it (under a condition), and the gateway
 * merges that over the entity's own type, so fragments on the type then miss. Without it, it keeps the entity's.
 */
function withoutInterfaceTypenames(response: SubgraphResponse, interfaces: ReadonlySet<string>): void {
  const entities = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  if (!Array.isArray(entities)) return;
  for (const entity of entities as ({ __typename?: unknown } | null)[]) {
    if (entity && typeof entity.__typename === "string" && interfaces.has(entity.__typename)) delete entity.__typename;
  }
}

export interface OracleRun {
  apollo: string;
  native: string;
  /** The native executor's result, parsed. */
  result: {
    data?: unknown;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
    extensions?: unknown;
  };
}

/**
 * Two gateways over the same in-process subgraphs, one executing plans with @apollo/gateway's executor and one
 * with the router's (`useNativeExecutor`); `run` sends an operation to both and returns both responses as JSON
 * (key order included), for the test to compare.
 */
export async function startOracle(
  graph: SubgraphDefinition[],
  { schemas = {}, tamper }: { schemas?: Record<string, GraphQLSchema>; tamper?: Tamper } = {},
) {
  const composed = composeServices(
    graph.map(({ name, typeDefs }) => ({ name, url: `http://${name}.invalid/graphql`, typeDefs: parse(typeDefs) })),
  );
  if (composed.errors) throw new Error(`composition failed: ${composed.errors.map((e) => e.message).join("; ")}`);
  // As the router serves it: @authenticated / @requiresScopes are the router's to enforce, not the gateway's.
  const supergraphSdl = prepareSupergraph(composed.supergraphSdl).sdl;
  const subgraphs = Object.fromEntries(
    graph.map(({ name, typeDefs }) => [name, schemas[name] ?? mockSubgraph(typeDefs)]),
  );
  const calls = {
    apollo: [] as { service: string; representations: number }[],
    native: [] as { service: string; representations: number }[],
  };
  const apiSchema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  const interfaces = new Set(
    Object.values(apiSchema.getTypeMap())
      .filter(isInterfaceType)
      .map((type) => type.name),
  );
  const start = async (kind: "apollo" | "native") => {
    const gateway = new ApolloGateway({
      supergraphSdl,
      buildService: ({ name }) =>
        new TamperedDataSource(subgraphs[name]!, name, tamper, calls[kind], kind === "apollo" ? interfaces : undefined),
    });
    if (kind === "native") useNativeExecutor(gateway);
    const server = new ApolloServer({
      gateway,
      includeStacktraceInErrorResponses: false,
      ...(kind === "native" ? { plugins: [incrementalDeliveryPlugin()] } : {}),
    });
    await server.start();
    return server;
  };
  const [apollo, native] = await Promise.all([start("apollo"), start("native")]);
  const execute = async (server: ApolloServer, request: GraphQLRequest): Promise<string> => {
    const response = await server.executeOperation(request);
    if (response.body.kind !== "single") throw new Error("incremental responses are not compared");
    return JSON.stringify(response.body.singleResult);
  };
  return {
    apiSchema,
    calls,
    async run(request: GraphQLRequest): Promise<OracleRun> {
      const [a, n] = await Promise.all([execute(apollo, request), execute(native, request)]);
      return { apollo: withEntityErrorPathsOf(a, n), native: n, result: JSON.parse(n) as OracleRun["result"] };
    },
    /** The native executor's response to an operation with `@defer`: the first payload and the ones after it. */
    async runIncremental(request: GraphQLRequest): Promise<IncrementalResponse> {
      const response = await native.executeOperation(request);
      if (response.body.kind === "single")
        return { initial: response.body.singleResult as IncrementalResponse["initial"], subsequent: [] };
      const subsequent: SubsequentResult[] = [];
      for await (const payload of response.body.subsequentResults) subsequent.push(payload as SubsequentResult);
      return { initial: response.body.initialResult as IncrementalResponse["initial"], subsequent };
    },
    stop: () => Promise.all([apollo.stop(), native.stop()]),
  };
}

/**
 * Works around another @apollo/gateway bug: the path of an error at `_entities.<i>` is that of the i-th entity at
 * the fetch's path, also when a type condition left some entities out of the fetch (so that the i-th
 * representation is another entity's); the router's executor takes the i-th representation's entity. Where the
 * two responses differ only there (same errors in the same order, each path the same but for one list index, and
 * the same data), Apollo's response gets the router's paths; any other difference stays.
 */
function withEntityErrorPathsOf(apolloJson: string, nativeJson: string): string {
  if (apolloJson === nativeJson) return apolloJson;
  type Result = OracleRun["result"];
  const apollo = JSON.parse(apolloJson) as Result;
  const native = JSON.parse(nativeJson) as Result;
  if (!apollo.errors || !native.errors || apollo.errors.length !== native.errors.length) return apolloJson;
  const differInOneIndex = (
    a: readonly (string | number)[] | undefined,
    b: readonly (string | number)[] | undefined,
  ): boolean =>
    a !== undefined &&
    b !== undefined &&
    a.length === b.length &&
    a.filter((key, index) => key !== b[index]).length === 1 &&
    a.every((key, index) => key === b[index] || (typeof key === "number" && typeof b[index] === "number"));
  const errors = apollo.errors.map((error, index) => {
    const theirs = native.errors![index]!;
    const misplaced =
      error.extensions?.serviceName !== undefined &&
      error.message === theirs.message &&
      differInOneIndex(error.path, theirs.path);
    return misplaced ? { ...error, path: theirs.path } : error;
  });
  return JSON.stringify({ ...apollo, errors });
}
