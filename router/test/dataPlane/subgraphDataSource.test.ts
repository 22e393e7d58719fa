import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { ROUTER_SIGNATURE_HEADER } from "@commerce/http";
import { createCallPolicy, type CallPolicyOptions } from "@commerce/resilience";
import { parse } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import type { RouterContext } from "../../src/context.js";
import { SubgraphHttpClient } from "../../src/dataPlane/httpClient.js";
import { SubgraphDataSource } from "../../src/dataPlane/subgraphDataSource.js";
import { silentLogger } from "../helpers.js";

interface Seen {
  headers: IncomingMessage["headers"];
  body: { query: string; variables?: Record<string, unknown> };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen<S extends HttpServer | NetServer>(server: S): Promise<{ server: S; url: string }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/graphql` };
}

/** A subgraph over real HTTP whose answer the test writes; it records every request it gets. */
async function fakeSubgraph(answer: (seen: Seen, res: ServerResponse) => void | Promise<void>) {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const connections = { opened: 0, closed: 0 };
  const { server, url } = await listen(
    createHttpServer((req, res) => {
      let raw = "";
      req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      req.on("end", () => {
        const request = { headers: req.headers, body: JSON.parse(raw) as Seen["body"] };
        seen.push(request);
        void answer(request, res);
      });
    }),
  );
  server.on("connection", (socket) => {
    connections.opened += 1;
    sockets.add(socket);
    socket.on("close", () => {
      connections.closed += 1;
      sockets.delete(socket);
    });
  });
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { seen, url, sockets, connections };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

function dataSource(
  url: string,
  policy: CallPolicyOptions = {},
  options: { deduplicate?: boolean; sign?: () => string } = {},
) {
  const client = new SubgraphHttpClient();
  cleanups.push(() => client.close());
  return new SubgraphDataSource({
    name: "reviews",
    url,
    client,
    policy: createCallPolicy("reviews", { retryDelayMs: 1, retryMaxDelayMs: 2, ...policy }),
    logger: silentLogger,
    ...options,
  });
}

const ENTITIES =
  "query Q__reviews__1($representations:[_Any!]!){_entities(representations:$representations){...on Product{rating{average}reviews{totalCount}}}}";
const ROOT = 'query Q__reviews__0{review(id:"r1"){id body}}';
const MUTATION = 'mutation M__reviews__0{deleteReview(input:{id:"r1"}){deleted}}';

/** The options the gateway passes for one fetch of an incoming operation. */
function fetchOf(
  query: string,
  context: Partial<RouterContext> = {},
  variables?: Record<string, unknown>,
): GraphQLDataSourceProcessOptions<RouterContext> {
  const ctx = {
    viewer: null,
    clientId: "ip:test",
    requestId: "req-1",
    logger: silentLogger,
    ...context,
  } as RouterContext;
  return {
    // GraphQLDataSourceRequestKind.INCOMING_OPERATION (the gateway does not export the enum).
    kind: "incoming operation" as Extract<
      GraphQLDataSourceProcessOptions<RouterContext>,
      { incomingRequestContext: unknown }
    >["kind"],
    request: { query, ...(variables ? { variables } : {}) },
    incomingRequestContext: {} as never,
    context: ctx,
    document: parse(query),
  };
}

const representations = (n: number) => ({
  representations: Array.from({ length: n }, (_, i) => ({ __typename: "Product", id: `p${i}` })),
});

describe("SubgraphDataSource", () => {
  it("forwards identity, request id and the router signature over keep-alive connections", async () => {
    const subgraph = await fakeSubgraph((_, res) => json(res, 200, { data: { review: { id: "r1", body: "ok" } } }));
    const source = dataSource(subgraph.url, {}, { sign: () => "t=1,v1=abc" });
    for (let i = 0; i < 3; i += 1) {
      const response = await source.process(fetchOf(ROOT, { authorization: "Bearer a", requestId: `req-${i}` }));
      expect(response).toEqual({ data: { review: { id: "r1", body: "ok" } } });
      // As between the fetches of real requests: undici opens a second connection for a request sent in the very tick the previous one ended.
      await sleep(1);
    }
    expect(
      subgraph.seen.map((s) => [
        s.headers.authorization,
        s.headers["x-request-id"],
        s.headers[ROUTER_SIGNATURE_HEADER],
      ]),
    ).toEqual([
      ["Bearer a", "req-0", "t=1,v1=abc"],
      ["Bearer a", "req-1", "t=1,v1=abc"],
      ["Bearer a", "req-2", "t=1,v1=abc"],
    ]);
    // Three requests, one connection.
    expect(subgraph.connections).toEqual({ opened: 1, closed: 0 });
  });

  it("shares one call among identical queries in flight from the same caller", async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const subgraph = await fakeSubgraph(async (_, res) => {
      await gate;
      json(res, 200, { data: { review: { id: "r1", body: "shared" } } });
    });
    const source = dataSource(subgraph.url);
    const calls = [1, 2, 3].map((i) =>
      source.process(fetchOf(ROOT, { authorization: "Bearer same", requestId: `req-${i}` })),
    );
    await sleep(50);
    release();
    const responses = await Promise.all(calls);
    expect(subgraph.seen).toHaveLength(1);
    expect(responses.map((r) => r.data)).toEqual([1, 2, 3].map(() => ({ review: { id: "r1", body: "shared" } })));
    // Each caller parsed its own copy: the gateway merges into it in place.
    expect(responses[0]?.data).not.toBe(responses[1]?.data);
  });

  it("never shares a response between callers with different tokens", async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const subgraph = await fakeSubgraph(async (seen, res) => {
      await gate;
      // The answer depends on who asks, as a real subgraph's does.
      json(res, 200, { data: { review: { id: "r1", body: `for ${seen.headers.authorization ?? "anonymous"}` } } });
    });
    const source = dataSource(subgraph.url);
    const alice = source.process(fetchOf(ROOT, { authorization: "Bearer alice" }));
    const bob = source.process(fetchOf(ROOT, { authorization: "Bearer bob" }));
    const anonymous = source.process(fetchOf(ROOT));
    await sleep(50);
    release();
    const [a, b, anon] = await Promise.all([alice, bob, anonymous]);
    expect(subgraph.seen).toHaveLength(3);
    expect(a?.data).toEqual({ review: { id: "r1", body: "for Bearer alice" } });
    expect(b?.data).toEqual({ review: { id: "r1", body: "for Bearer bob" } });
    expect(anon?.data).toEqual({ review: { id: "r1", body: "for anonymous" } });
  });

  it("never de-duplicates or retries a mutation; retries a query within its policy", async () => {
    const subgraph = await fakeSubgraph((_, res) => json(res, 503, { errors: [{ message: "restarting" }] }));
    const source = dataSource(subgraph.url, { retries: 2, breakerConsecutiveFailures: 0 });
    const mutations = await Promise.all([source.process(fetchOf(MUTATION)), source.process(fetchOf(MUTATION))]);
    expect(subgraph.seen).toHaveLength(2);
    for (const response of mutations) {
      expect(response.errors).toEqual([
        {
          message: expect.stringContaining("reviews") as string,
          path: ["deleteReview"],
          extensions: { code: "SUBGRAPH_HTTP_ERROR", serviceName: "reviews", reason: "HTTP 503" },
        },
      ]);
    }
    subgraph.seen.length = 0;
    await source.process(fetchOf(ROOT));
    expect(subgraph.seen).toHaveLength(3);
  });

  it("keeps retries to a failing subgraph within the retry budget", async () => {
    const subgraph = await fakeSubgraph((_, res) => json(res, 503, { errors: [{ message: "overloaded" }] }));
    const source = dataSource(subgraph.url, {
      retries: 3,
      retryBudgetRatio: 0.1,
      retryBudgetMinPerWindow: 2,
      retryBudgetWindowMs: 60_000,
      breakerConsecutiveFailures: 0,
      breakerErrorRate: 0,
    });
    const calls = 60;
    for (let i = 0; i < calls; i += 1) {
      const response = await source.process(fetchOf(ENTITIES, { requestId: `req-${i}` }, representations(1)));
      expect(response.errors?.[0]?.extensions?.code).toBe("SUBGRAPH_HTTP_ERROR");
    }
    // Without the budget: 60 calls × 4 attempts. With it: the calls plus at most max(2, 10 % of 60) retries.
    expect(subgraph.seen.length).toBeGreaterThan(calls);
    expect(subgraph.seen.length).toBeLessThanOrEqual(calls + 6);
  });

  it("answers a failed entity fetch with an error per entity and field, at paths the gateway maps to the client's", async () => {
    const port = await (async () => {
      const { server, url } = await listen(createNetServer());
      await new Promise((resolve) => server.close(resolve));
      return url;
    })();
    const source = dataSource(port, { retries: 0 });
    const response = await source.process(fetchOf(ENTITIES, {}, representations(2)));
    expect(response.data).toBeUndefined();
    expect(response.errors?.map((e) => e.path)).toEqual([
      ["_entities", 0, "rating"],
      ["_entities", 0, "reviews"],
      ["_entities", 1, "rating"],
      ["_entities", 1, "reviews"],
    ]);
    expect(response.errors?.[0]?.extensions).toEqual({
      code: "SUBGRAPH_UNAVAILABLE",
      serviceName: "reviews",
      reason: "connection refused",
    });
  });

  it("times out a subgraph that accepts the connection and never answers", async () => {
    const sockets: Socket[] = [];
    const { server, url } = await listen(createNetServer((socket) => void sockets.push(socket)));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      server.close();
    });
    const source = dataSource(url, { timeoutMs: 100, retries: 2 });
    const response = await source.process(fetchOf(ENTITIES, {}, representations(1)));
    expect(response.errors?.[0]?.extensions).toEqual({
      code: "SUBGRAPH_TIMEOUT",
      serviceName: "reviews",
      reason: "no answer within 100 ms",
    });
    // A timeout is not retried: one connection, one request.
    expect(sockets).toHaveLength(1);
  });

  it("stops waiting and aborts the call when the request deadline fires", async () => {
    const subgraph = await fakeSubgraph(() => undefined);
    const source = dataSource(subgraph.url, { timeoutMs: 10_000 });
    const deadline = new AbortController();
    const pending = source.process(fetchOf(ROOT, { signal: deadline.signal }));
    await sleep(50);
    const aborted = performance.now();
    deadline.abort();
    const response = await pending;
    expect(performance.now() - aborted).toBeLessThan(1000);
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: "SUBGRAPH_TIMEOUT",
      reason: "cancelled by the caller",
    });
    // The connection of the aborted call is closed, not left waiting for the answer.
    await sleep(50);
    expect(subgraph.connections.closed).toBe(1);
    expect(source.policy.view().state).toBe("closed");
  });

  it("keeps a shared call running for the callers still waiting when one of them gives up", async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const subgraph = await fakeSubgraph(async (_, res) => {
      await gate;
      json(res, 200, { data: { review: { id: "r1", body: "late" } } });
    });
    const source = dataSource(subgraph.url);
    const impatient = new AbortController();
    const first = source.process(fetchOf(ROOT, { signal: impatient.signal }));
    const second = source.process(fetchOf(ROOT));
    await sleep(30);
    impatient.abort();
    expect((await first).errors?.[0]?.extensions?.code).toBe("SUBGRAPH_TIMEOUT");
    release();
    expect((await second).data).toEqual({ review: { id: "r1", body: "late" } });
    expect(subgraph.seen).toHaveLength(1);
  });
});
