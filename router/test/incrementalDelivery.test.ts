import { createServer, type Socket } from "node:net";
import { ApolloServer, HeaderMap } from "@apollo/server";
import { serveGraphQL } from "@commerce/http";
import type { GraphQLFormattedError } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import { DEFER_MEDIA_TYPE } from "../src/plugins/incrementalDelivery.js";
import { createRouter, type Router } from "../src/server.js";
import { composeSupergraph, subgraphSchemas, type SubgraphTestContext } from "./fixtures/subgraphs.js";
import { mergeIncremental, multipartParts, type IncrementalResponse } from "./fixtures/incremental.js";
import { bearer, silentLogger, startLocalRouter, tempSupergraph, testConfig } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const startRouter = (env: Record<string, string> = {}) => startLocalRouter(cleanups, env);

/** What Apollo Client sends with an operation that uses `@defer`. */
const ACCEPT_DEFER = `${DEFER_MEDIA_TYPE},application/graphql-response+json,application/json;q=0.9`;

type Sent = { status: number; headers: HeaderMap } & (
  { kind: "single"; data?: unknown; errors?: GraphQLFormattedError[] } | ({ kind: "incremental" } & IncrementalResponse)
);

/** POSTs `body` (one operation, or a batch) through the router in process, as the HTTP host does. */
async function send(router: Router, body: unknown, headers: Record<string, string> = {}): Promise<Sent> {
  const all = { "content-type": "application/json", ...headers };
  const response = await router.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: "POST", headers: new HeaderMap(Object.entries(all)), search: "", body },
    context: () => router.context({ headers: all, body }),
  });
  const head = { status: response.status ?? 200, headers: response.headers };
  if (response.body.kind === "complete")
    return { ...head, kind: "single", ...(JSON.parse(response.body.string) as object) };
  let text = "";
  for await (const chunk of response.body.asyncIterator) text += chunk;
  const [initial, ...subsequent] = multipartParts(text) as [
    IncrementalResponse["initial"],
    ...IncrementalResponse["subsequent"],
  ];
  return { ...head, kind: "incremental", initial, subsequent };
}

function incremental(sent: Sent): IncrementalResponse {
  if (sent.kind !== "incremental") throw new Error(`expected an incremental response, got ${JSON.stringify(sent)}`);
  return sent;
}

const codes = (errors: readonly GraphQLFormattedError[] | undefined) =>
  (errors ?? []).map((error) => error.extensions?.code);

const FAVORITES_DEFERRED = '{ me { name ... @defer(label: "favorites") { favorites { id name price } } } }';
const FAVORITES = "{ me { name favorites { id name price } } }";

describe("@defer through the router", () => {
  it("streams the primary part first, then the deferred one, as multipart/mixed; deferSpec=20220824", async () => {
    const { router } = await startRouter();
    const authorization = await bearer();
    const sent = await send(router, { query: FAVORITES_DEFERRED }, { accept: ACCEPT_DEFER, authorization });
    expect(sent.status).toBe(200);
    expect(sent.headers.get("content-type")).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    const { initial, subsequent } = incremental(sent);
    expect(initial).toEqual({ data: { me: { name: "Ada" } }, hasNext: true });
    expect(subsequent).toEqual([
      {
        hasNext: false,
        incremental: [
          {
            data: {
              favorites: [
                { id: "p1", name: "Kettle", price: 2999 },
                { id: "p2", name: "Teapot", price: 1999 },
              ],
            },
            path: ["me"],
            label: "favorites",
          },
        ],
      },
    ]);
    const plain = await send(router, { query: FAVORITES }, { authorization });
    expect(mergeIncremental(incremental(sent))).toEqual({
      data: plain.kind === "single" ? plain.data : undefined,
      errors: [],
      misplaced: [],
    });
  });

  it("refuses a request whose Accept header does not take multipart/mixed; deferSpec=20220824 (406), before any subgraph call", async () => {
    const { router, requests } = await startRouter();
    for (const accept of [
      undefined,
      "application/json",
      "multipart/mixed, application/json",
      "multipart/mixed; incrementalSpec=v0.2, application/json",
    ]) {
      const sent = await send(router, { query: FAVORITES_DEFERRED }, accept ? { accept } : {});
      expect(sent.status, accept).toBe(406);
      expect(sent.kind === "single" && sent.errors?.map((error) => error.extensions), accept).toEqual([
        { code: "INCREMENTAL_DELIVERY_NOT_ACCEPTED", reason: "ACCEPT", accept: DEFER_MEDIA_TYPE },
      ]);
    }
    // Nor JSON: Apollo Server has no way to send the error but its own 406.
    expect((await send(router, { query: FAVORITES_DEFERRED }, { accept: "multipart/mixed" })).status).toBe(406);
    expect(requests).toEqual([]);
  });

  it("answers in one piece when no @defer applies (`if: false`: a literal, a variable or its default), whatever the Accept header", async () => {
    const { router } = await startRouter();
    const authorization = await bearer();
    const literal = await send(
      router,
      { query: "{ me { name ... @defer(if: false) { favorites { id } } } }" },
      { authorization },
    );
    const variable = await send(
      router,
      { query: "query($d: Boolean!) { me { name ... @defer(if: $d) { favorites { id } } } }", variables: { d: false } },
      { authorization, accept: ACCEPT_DEFER },
    );
    const byDefault = await send(
      router,
      { query: "query($d: Boolean = false) { me { name ... @defer(if: $d) { favorites { id } } } }" },
      { authorization },
    );
    for (const sent of [literal, variable, byDefault]) {
      expect(sent).toMatchObject({
        status: 200,
        kind: "single",
        data: { me: { name: "Ada", favorites: [{ id: "p1" }, { id: "p2" }] } },
      });
    }
  });

  it("refuses @defer in a batch (400): a batch answers in one JSON array", async () => {
    const { router, requests } = await startRouter({ MAX_BATCH_SIZE: "5" });
    const response = await router.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: "POST",
        headers: new HeaderMap([
          ["content-type", "application/json"],
          ["accept", ACCEPT_DEFER],
        ]),
        search: "",
        body: [{ query: "{ __typename }" }, { query: FAVORITES_DEFERRED }],
      },
      context: () => router.context({ headers: { "content-type": "application/json" }, body: [{}, {}] }),
    });
    expect(response.body.kind).toBe("complete");
    const results = JSON.parse(response.body.kind === "complete" ? response.body.string : "[]") as {
      errors?: GraphQLFormattedError[];
    }[];
    expect(results[1]?.errors?.map((error) => error.extensions)).toEqual([
      { code: "INCREMENTAL_DELIVERY_NOT_ACCEPTED", reason: "BATCH" },
    ]);
    expect(requests).toEqual([]);
  });

  it("applies the operation limits, the cost limit and field authorization to the deferred fragments too", async () => {
    const shallow = await startRouter({ MAX_QUERY_DEPTH: "1" });
    const deep = await send(
      shallow.router,
      { query: "{ me { ... @defer { favorites { id } } } }" },
      { accept: ACCEPT_DEFER },
    );
    expect(deep.status).toBe(400);
    expect(deep.kind === "single" && codes(deep.errors)).toEqual(["MAX_DEPTH_LIMIT"]);
    expect(shallow.requests).toEqual([]);
    const { router, requests } = await startRouter({ COST_MAX: "20" });
    const costly = await send(
      router,
      { query: "{ products(first: 10) { edges { node { id ... @defer { rating } } } } }" },
      { accept: ACCEPT_DEFER },
    );
    expect(costly.status).toBe(400);
    // As the same operation without @defer costs (`rating` weighs 5 a product).
    const plainCost = await send(router, { query: "{ products(first: 10) { edges { node { id rating } } } }" });
    expect(plainCost.kind === "single" && plainCost.errors?.[0]?.extensions).toMatchObject({
      code: "COST_ESTIMATED_TOO_EXPENSIVE",
      cost: { max: 20 },
    });
    expect(costly.kind === "single" && costly.errors?.map((error) => error.extensions)).toEqual([
      plainCost.kind === "single" && plainCost.errors?.[0]?.extensions,
    ]);
    expect(requests).toEqual([]);

    // `User.email` needs a scope this caller lacks: never fetched, null and its error as without @defer (the error
    // in the first payload, which has every denial).
    const authorization = await bearer("u1", []);
    const filtered = incremental(
      await send(router, { query: "{ me { name ... @defer { id email } } }" }, { accept: ACCEPT_DEFER, authorization }),
    );
    expect(filtered.initial.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [["me", "email"], "UNAUTHORIZED_FIELD_OR_TYPE"],
    ]);
    expect(filtered.subsequent).toEqual([
      { hasNext: false, incremental: [{ data: { id: "u1", email: null }, path: ["me"] }] },
    ]);
    const plain = await send(router, { query: "{ me { name id email } }" }, { authorization });
    expect(mergeIncremental(filtered)).toEqual({
      data: plain.kind === "single" && plain.data,
      errors: plain.kind === "single" && plain.errors,
      misplaced: [],
    });
    expect(requests.map((request) => request.query).join("\n")).not.toContain("email");
  });

  it("puts a deferred part's failure, coded, in its own payload (masked in production) and keeps the rest", async () => {
    for (const production of [false, true]) {
      const { router } = await startRouter(production ? { NODE_ENV: "production" } : {});
      const sent = incremental(
        await send(router, { query: '{ product(id: "p1") { name } ... @defer { broken } }' }, { accept: ACCEPT_DEFER }),
      );
      expect(sent.initial).toEqual({ data: { product: { name: "Kettle" } }, hasNext: true });
      const [payload] = sent.subsequent;
      expect(payload?.hasNext).toBe(false);
      expect(payload?.incremental).toHaveLength(1);
      const [item] = payload!.incremental!;
      expect(item).toMatchObject({ data: { broken: null }, path: [] });
      expect(item?.errors?.map((error) => ({ path: error.path, extensions: error.extensions }))).toEqual([
        { path: ["broken"], extensions: { code: "DOWNSTREAM_SERVICE_ERROR", serviceName: "catalog" } },
      ]);
      expect(item?.errors?.[0]?.message).toBe(
        production ? "Internal server error." : "connection to db-internal-7:5432 refused",
      );
    }
  });
});

/** A TCP server that accepts connections and never answers (a hung subgraph). */
async function hungServer(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/graphql`;
}

/** A router with its real data plane: accounts served over HTTP, catalog at `catalogUrl`. */
async function startServedRouter(catalogUrl: string, env: Record<string, string> = {}) {
  const accounts = await serveGraphQL<SubgraphTestContext>({
    apollo: () => new ApolloServer<SubgraphTestContext>({ schema: subgraphSchemas().accounts, logger: silentLogger }),
    context: async (req) => ({ authorization: req.headers.authorization, requestId: req.header("x-request-id") }),
    host: "127.0.0.1",
    port: 0,
  });
  const file = await tempSupergraph(composeSupergraph());
  const router = createRouter({
    config: testConfig(file.path, {
      SUBGRAPH_ACCOUNTS_URL: accounts.url,
      SUBGRAPH_CATALOG_URL: catalogUrl,
      SUBGRAPH_RETRIES: "0",
      ...env,
    }),
    logger: silentLogger,
  });
  await router.apollo.start();
  cleanups.push(accounts.stop, file.remove, router.stop);
  return router;
}

describe("@defer through the router's data plane", () => {
  it("names the subgraph a deferred part could not reach, coded, in that part's payload", async () => {
    const router = await startServedRouter("http://127.0.0.1:9/graphql");
    const sent = incremental(
      await send(router, { query: FAVORITES_DEFERRED }, { accept: ACCEPT_DEFER, authorization: await bearer() }),
    );
    expect(sent.initial).toEqual({ data: { me: { name: "Ada" } }, hasNext: true });
    const items = sent.subsequent.flatMap((payload) => payload.incremental ?? []);
    expect(items.map((item) => item.path)).toEqual([["me"]]);
    // At the path of each field catalog would have resolved.
    const errors = items[0]?.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    expect(
      new Set(
        errors.map(
          (error) =>
            `${String(error.extensions?.code)} ${String(error.extensions?.serviceName)} ${String(error.path?.slice(0, 2))}`,
        ),
      ),
    ).toEqual(new Set(["SUBGRAPH_UNAVAILABLE catalog me,favorites"]));
    expect(sent.subsequent.at(-1)?.hasNext).toBe(false);
  });

  it("ends the stream at the request deadline when a deferred part hangs: the last payload says GATEWAY_TIMEOUT", async () => {
    // The subgraph call would wait a minute: only the deadline can end this test in time.
    const router = await startServedRouter(await hungServer(), {
      ROUTER_REQUEST_TIMEOUT_MS: "300",
      SUBGRAPH_TIMEOUT_MS: "60000",
    });
    const sent = incremental(
      await send(router, { query: FAVORITES_DEFERRED }, { accept: ACCEPT_DEFER, authorization: await bearer() }),
    );
    expect(sent.initial).toEqual({ data: { me: { name: "Ada" } }, hasNext: true });
    expect(sent.subsequent).toEqual([
      {
        hasNext: false,
        incremental: [
          {
            path: [],
            errors: [{ message: expect.any(String), extensions: { code: "GATEWAY_TIMEOUT", timeoutMs: 300 } }],
          },
        ],
      },
    ]);
  });
});
