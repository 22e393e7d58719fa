import { composeServices } from "@apollo/composition";
import { Supergraph } from "@apollo/federation-internals";
import { ApolloGateway, LocalGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { ApolloServer, type GraphQLRequest } from "@apollo/server";
import { prepareSupergraph } from "@commerce/analysis";
import { parse, type GraphQLSchema } from "graphql";
import { useNativeExecutor } from "../../src/executor/nativeExecutor.js";
import type { SubgraphDefinition } from "../fixtures/executorGraphs.js";
import { mockSubgraph } from "../fixtures/mockSubgraph.js";

type SubgraphResponse = Awaited<ReturnType<LocalGraphQLDataSource["process"]>>;

/** Rewrites what a subgraph answered (to simulate a subgraph that breaks the contract); runs for both executors. */
export type Tamper = (service: string, request: GraphQLDataSourceProcessOptions["request"], response: SubgraphResponse) => SubgraphResponse;

class TamperedDataSource extends LocalGraphQLDataSource {
  constructor(
    schema: GraphQLSchema,
    private readonly service: string,
    private readonly tamper: Tamper | undefined,
    private readonly calls: { service: string; representations: number }[],
  ) {
    super(schema);
  }

  override async process(options: GraphQLDataSourceProcessOptions): Promise<SubgraphResponse> {
    const representations = options.request.variables?.representations;
    this.calls.push({ service: this.service, representations: Array.isArray(representations) ? representations.length : 0 });
    const response = await super.process(options);
    return this.tamper ? this.tamper(this.service, options.request, structuredClone(response)) : response;
  }
}

export interface OracleRun {
  apollo: string;
  native: string;
  /** The native executor's result, parsed. */
  result: { data?: unknown; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[]; extensions?: unknown };
}

/**
 * Two gateways over the same in-process subgraphs, one executing plans with @apollo/gateway's executor and one
 * with the router's (`useNativeExecutor`); `run` sends an operation to both and returns both responses as JSON
 * (key order included), for the test to compare.
 */
export async function startOracle(graph: SubgraphDefinition[], { schemas = {}, tamper }: { schemas?: Record<string, GraphQLSchema>; tamper?: Tamper } = {}) {
  const composed = composeServices(graph.map(({ name, typeDefs }) => ({ name, url: `http://${name}.invalid/graphql`, typeDefs: parse(typeDefs) })));
  if (composed.errors) throw new Error(`composition failed: ${composed.errors.map((e) => e.message).join("; ")}`);
  // As the router serves it: @authenticated / @requiresScopes are the router's to enforce, not the gateway's.
  const supergraphSdl = prepareSupergraph(composed.supergraphSdl).sdl;
  const subgraphs = Object.fromEntries(graph.map(({ name, typeDefs }) => [name, schemas[name] ?? mockSubgraph(typeDefs)]));
  const calls = { apollo: [] as { service: string; representations: number }[], native: [] as { service: string; representations: number }[] };
  const start = async (kind: "apollo" | "native") => {
    const gateway = new ApolloGateway({
      supergraphSdl,
      buildService: ({ name }) => new TamperedDataSource(subgraphs[name]!, name, tamper, calls[kind]),
    });
    if (kind === "native") useNativeExecutor(gateway);
    const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
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
    apiSchema: Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema(),
    calls,
    async run(request: GraphQLRequest): Promise<OracleRun> {
      const [a, n] = await Promise.all([execute(apollo, request), execute(native, request)]);
      return { apollo: a, native: n, result: JSON.parse(n) as OracleRun["result"] };
    },
    stop: () => Promise.all([apollo.stop(), native.stop()]),
  };
}
