// A lean GraphQL-over-HTTP server for the benchmark subgraphs: node:http, graphql-js `execute`, and parsed,
// validated documents cached by query text. Deliberately cheaper than a full Apollo Server, so that the gateway
// in front of it, not the subgraph, is what the benchmark measures (the public workload's subgraphs are Rust).
import { createServer, type IncomingMessage, type Server } from "node:http";
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";

/** What a benchmark subgraph has seen, for checks that the gateways forward the caller's token. */
export interface SubgraphStats {
  requests: number;
  withAuthorization: number;
  lastAuthorization: string | null;
}

const MAX_CACHED_DOCUMENTS = 1000;

export function createSubgraphServer(schema: GraphQLSchema): Server {
  const documents = new Map<string, DocumentNode | readonly Error[]>();
  const stats: SubgraphStats = { requests: 0, withAuthorization: 0, lastAuthorization: null };

  const prepare = (query: string): DocumentNode | readonly Error[] => {
    let prepared = documents.get(query);
    if (prepared) return prepared;
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      prepared = errors.length > 0 ? errors : document;
    } catch (error) {
      prepared = [error as Error];
    }
    if (documents.size >= MAX_CACHED_DOCUMENTS) documents.clear();
    documents.set(query, prepared);
    return prepared;
  };

  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res
        .writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
        .end(text);
    };
    if (req.method === "GET" && req.url === "/health") return send(200, { status: "ok" });
    if (req.method === "GET" && req.url === "/stats") return send(200, stats);
    if (req.method !== "POST") return send(405, { errors: [{ message: "POST a GraphQL request" }] });
    readBody(req).then(
      async (raw) => {
        stats.requests += 1;
        const authorization = req.headers.authorization;
        if (authorization) {
          stats.withAuthorization += 1;
          stats.lastAuthorization = authorization;
        }
        let body: { query?: unknown; variables?: Record<string, unknown>; operationName?: string };
        try {
          body = JSON.parse(raw) as typeof body;
        } catch {
          return send(400, { errors: [{ message: "Body is not JSON" }] });
        }
        if (typeof body.query !== "string") return send(400, { errors: [{ message: "No query" }] });
        const prepared = prepare(body.query);
        if (Array.isArray(prepared)) return send(400, { errors: prepared.map((e: Error) => ({ message: e.message })) });
        // Entity resolution (`_entities`) returns a promise even over synchronous resolvers.
        const result = await execute({
          schema,
          document: prepared as DocumentNode,
          variableValues: body.variables ?? null,
          operationName: body.operationName ?? null,
        });
        return send(200, result);
      },
      () => send(400, { errors: [{ message: "Cannot read the body" }] }),
    );
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
