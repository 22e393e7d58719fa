// The router's own CPU cost per request, without the network: vanilla @apollo/gateway + @apollo/server, our router
// with @apollo/gateway's executor and with its own (ROUTER_EXECUTOR=native), in one process, rounds interleaved, over
// the federation benchmark's subgraphs answered from memory (each subgraph response recorded once, then replayed
// as a JSON string parsed per call, as a network client would). Prints CPU ms per request and the ratio to
// vanilla. What it leaves out (HTTP parsing, the subgraph client, the subgraphs) is what `npm run bench` measures.
//
//   npm run bench:inprocess -w @commerce/router -- [--requests 400] [--rounds 3] [--concurrency 10] [--trace] [--jwt] [--trivial]
import { writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { composeServices } from "@apollo/composition";
import {
  ApolloGateway,
  LocalGraphQLDataSource,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from "@apollo/gateway";
import { ApolloServer, HeaderMap } from "@apollo/server";
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { createTokenSigner } from "@commerce/auth";
import { createLogger } from "@commerce/common";
import { loadTelemetryConfig, startTracing } from "@commerce/telemetry";
import { parse } from "graphql";
import { loadConfig } from "../src/config.js";
import type { RouterContext } from "../src/context.js";
import { createGateway } from "../src/gateway.js";
import { createRouter } from "../src/server.js";
import { BENCHMARK_GRAPH, BENCHMARK_QUERY, benchmarkSubgraphSchemas } from "../test/fixtures/executorGraphs.js";

const { values: options } = parseArgs({
  options: {
    requests: { type: "string", default: "400" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "10" },
    trace: { type: "boolean", default: false },
    jwt: { type: "boolean", default: false },
    targets: { type: "string", default: "vanilla,apollo,native" },
    trivial: { type: "boolean", default: false },
  },
});
const REQUESTS = Number(options.requests);
const SECRET = "in-process-bench-jwt-secret-0123456789abcdef";

if (options.trace) {
  // Spans recorded and batched as with an OTLP endpoint, then dropped (the exporter's network is not measured).
  const discard: SpanExporter = {
    export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
    shutdown: async () => undefined,
  };
  startTracing(loadTelemetryConfig("router", {}), { spanProcessors: [new BatchSpanProcessor(discard)] });
}

const schemas = benchmarkSubgraphSchemas();
const composed = composeServices(
  BENCHMARK_GRAPH.map(({ name, typeDefs }) => ({
    name,
    url: `http://${name}.invalid/graphql`,
    typeDefs: parse(typeDefs),
  })),
);
if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join("; "));
const dir = await mkdtemp(join(tmpdir(), "router-inprocess-"));
const supergraphPath = join(dir, "supergraph.graphql");
await writeFile(supergraphPath, composed.supergraphSdl);

/** Answers from memory: the subgraph's response to each distinct request, recorded once and parsed per call. */
class ReplayDataSource implements GraphQLDataSource<Record<string, unknown>> {
  private readonly local: LocalGraphQLDataSource;
  private readonly recorded = new Map<string, string>();
  constructor(name: string) {
    this.local = new LocalGraphQLDataSource(schemas[name]!);
  }
  async process(options: GraphQLDataSourceProcessOptions<Record<string, unknown>>) {
    const key = JSON.stringify([options.request.query, options.request.variables]);
    let body = this.recorded.get(key);
    if (body === undefined) {
      body = JSON.stringify(await this.local.process(options));
      this.recorded.set(key, body);
    }
    return JSON.parse(body) as Awaited<ReturnType<LocalGraphQLDataSource["process"]>>;
  }
}

type Send = (authorization: string | undefined) => Promise<string>;
// The benchmark's TestQuery (about 45 KB here), or with --trivial one root field of one subgraph.
const body = options.trivial
  ? { query: "query Trivial { me { id username } }", operationName: "Trivial" }
  : { query: BENCHMARK_QUERY, operationName: "TestQuery" };
const discardLogs = new Writable({ write: (_chunk, _encoding, done) => done() });

async function vanilla(): Promise<Send> {
  const gateway = new ApolloGateway({
    supergraphSdl: composed.supergraphSdl,
    buildService: ({ name }) => new ReplayDataSource(name),
  });
  const server = new ApolloServer({ gateway });
  await server.start();
  return async (authorization) => {
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: "POST",
        headers: new HeaderMap([["content-type", "application/json"]]),
        search: "",
        body,
      },
      context: async () => ({ authorization }),
    });
    return response.body.kind === "complete" ? response.body.string : "";
  };
}

async function router(executor: "apollo" | "native"): Promise<Send> {
  const config = loadConfig({
    NODE_ENV: "production",
    SUPERGRAPH_PATH: supergraphPath,
    JWT_SECRET: SECRET,
    ROUTER_SECRET: "in-process-bench-router-secret-0123456789abcdef",
    COST_MAX: "10000000",
    ROUTER_EXECUTOR: executor,
  });
  const logger = createLogger("router", "info", discardLogs);
  const gateway = createGateway({
    supergraphPath,
    logger,
    buildService: ({ name }) => new ReplayDataSource(name) as unknown as GraphQLDataSource<RouterContext>,
  });
  const built = createRouter({ config, logger, gateway });
  await built.apollo.start();
  return async (authorization) => {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...(authorization ? { authorization } : {}),
    };
    const response = await built.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: "POST", headers: new HeaderMap(Object.entries(headers)), search: "", body },
      context: () => built.context({ headers, body, ip: "127.0.0.1" }),
    });
    return response.body.kind === "complete" ? response.body.string : "";
  };
}

const signer = createTokenSigner({ secret: SECRET, ttlSeconds: 3600 });
const tokens = options.jwt
  ? await Promise.all(
      Array.from({ length: REQUESTS * Number(options.rounds) + 200 }, (_, i) => signer.sign(`user-${i}`, [])),
    )
  : [];
let nextToken = 0;
const authorization = () => (options.jwt ? `Bearer ${tokens[nextToken++ % tokens.length]}` : undefined);

/** Sends `count` requests, `concurrency` at a time; returns CPU and wall milliseconds per request. */
async function load(send: Send, count: number): Promise<{ cpu: number; wall: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued++;
      await send(authorization());
    }
  };
  await Promise.all(Array.from({ length: Number(options.concurrency) }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  return { cpu: (cpu.user + cpu.system) / 1000 / count, wall: (performance.now() - started) / count };
}

const builders: Record<string, () => Promise<Send>> = {
  vanilla,
  apollo: () => router("apollo"),
  native: () => router("native"),
};
const names = options.targets.split(",");
const targets = new Map<string, Send>();
for (const name of names) targets.set(name, await builders[name]!());

const sortedJson = (text: string): string => JSON.stringify(sortKeys(JSON.parse(text)));
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}
const answers = new Map<string, string>();
for (const [name, send] of targets) answers.set(name, sortedJson(await send(authorization())));
const [reference] = answers.values();
for (const [name, answer] of answers)
  if (answer !== reference) throw new Error(`${name} answers differently from ${names[0]}`);
console.log(
  `${body.operationName}, ${(reference ?? "").length} bytes; ${REQUESTS} requests per round, ${options.concurrency} in flight${options.trace ? ", spans recorded" : ""}${options.jwt ? ", a distinct JWT per request" : ""}`,
);

for (const send of targets.values()) await load(send, Math.min(200, REQUESTS)); // warm-up
const results = new Map<string, { cpu: number; wall: number }[]>(names.map((name) => [name, []]));
for (let round = 0; round < Number(options.rounds); round++) {
  for (const [name, send] of targets) results.get(name)!.push(await load(send, REQUESTS));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const referenceCpu = median(results.get(names[0]!)!.map((r) => r.cpu));
for (const [name, rounds] of results) {
  const cpu = median(rounds.map((r) => r.cpu));
  console.log(
    `${name.padEnd(8)} CPU ${cpu.toFixed(2).padStart(6)} ms/req  (${(referenceCpu / cpu).toFixed(2)}× ${names[0]} by CPU)  wall ${median(rounds.map((r) => r.wall)).toFixed(2)} ms/req`,
  );
}
process.exit(0);
