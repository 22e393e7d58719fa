import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GraphQLError } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import { ROUTER_SIGNATURE_HEADER, SERVICE_SIGNATURE_HEADER, verifyServiceSignature } from "@commerce/http";
import { createCatalogClient } from "../src/catalogClient.js";

const PRODUCT = {
  id: "A0B6F3A2-6B1C-4A59-9D1E-3F7C2A1B4C5D",
  sku: "S",
  name: "Fries",
  price: { amount: 199, currency: "EUR" },
  available: true,
};
let server: Server | undefined;
afterEach(
  () =>
    new Promise<void>((resolve) =>
      server ? (server.closeAllConnections(), server.close(() => resolve())) : resolve(),
    ),
);

/** A real HTTP server answering with `answers[i]` on the i-th request ("hang" never answers). */
async function catalogAnswering(
  answers: (number | "hang" | "graphql-error" | "refused")[],
): Promise<{ url: string; calls: () => number; headers: () => Record<string, unknown>[] }> {
  let calls = 0;
  const headers: Record<string, unknown>[] = [];
  server = createServer((req, res) => {
    headers.push(req.headers);
    const answer = answers[Math.min(calls, answers.length - 1)];
    calls += 1;
    if (answer === "hang") return;
    res.setHeader("content-type", "application/json");
    if (answer === "refused") {
      res.statusCode = 401;
      const extensions = { code: "UNAUTHENTICATED", reason: "SERVICE_SIGNATURE_UNKNOWN_SERVICE" };
      return void res.end(JSON.stringify({ errors: [{ message: "no", extensions }] }));
    }
    if (answer === "graphql-error")
      return void res.end(JSON.stringify({ errors: [{ message: "boom", extensions: { code: "UNAUTHENTICATED" } }] }));
    res.statusCode = answer as number;
    res.end(answer === 200 ? JSON.stringify({ data: { _entities: [PRODUCT, null] } }) : "{}");
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    calls: () => calls,
    headers: () => headers,
  };
}

/** The coded error a failed call rejects with. */
async function failure(promise: Promise<unknown>): Promise<GraphQLError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GraphQLError)) throw new Error(`expected a GraphQLError, got ${String(error)}`);
  return error;
}

describe("catalog client", () => {
  it("retries 502/503 answers with back-off and returns the products keyed by lower-case id (unknown ids absent)", async () => {
    const catalog = await catalogAnswering([503, 502, 200]);
    const client = createCatalogClient({ url: catalog.url, retries: 2, retryDelayMs: 1 });
    const products = await client.findProducts([PRODUCT.id, "00000000-0000-4000-8000-000000000000"]);
    expect([...products.keys()]).toEqual([PRODUCT.id.toLowerCase()]);
    expect(catalog.calls()).toBe(3);
  });

  it("answers SUBGRAPH_TIMEOUT naming the catalog when it does not answer, without retrying the wait", async () => {
    const catalog = await catalogAnswering(["hang"]);
    // 500 ms: long enough for the request to reach the server on a loaded machine, so the single call is observable.
    const client = createCatalogClient({ url: catalog.url, retries: 2, timeoutMs: 500, retryDelayMs: 1 });
    const error = await failure(client.findProducts([PRODUCT.id]));
    expect(error.extensions).toMatchObject({
      code: "SUBGRAPH_TIMEOUT",
      serviceName: "catalog",
      reason: "no answer within 500 ms",
    });
    expect(error.message).toMatch(/catalog/);
    expect(catalog.calls()).toBe(1);
  });

  it("answers SUBGRAPH_UNAVAILABLE when nothing listens, and opens its breaker: then it fails fast with SUBGRAPH_CIRCUIT_OPEN", async () => {
    const catalog = await catalogAnswering([200]);
    const url = catalog.url;
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const client = createCatalogClient({
      url,
      retries: 0,
      breakerConsecutiveFailures: 2,
      breakerHalfOpenAfterMs: 60_000,
    });
    for (let i = 0; i < 2; i += 1)
      expect((await failure(client.findProducts([PRODUCT.id]))).extensions).toMatchObject({
        code: "SUBGRAPH_UNAVAILABLE",
        serviceName: "catalog",
      });
    expect(client.view().state).toBe("open");
    expect((await failure(client.findProducts([PRODUCT.id]))).extensions).toMatchObject({
      code: "SUBGRAPH_CIRCUIT_OPEN",
      serviceName: "catalog",
    });
  });

  it("does not retry an answer with GraphQL errors (it would fail again) and names the code it got", async () => {
    const catalog = await catalogAnswering(["graphql-error"]);
    const client = createCatalogClient({ url: catalog.url, retries: 3, retryDelayMs: 1 });
    const error = await failure(client.findProducts([PRODUCT.id]));
    expect(error.extensions).toMatchObject({
      code: "SUBGRAPH_HTTP_ERROR",
      serviceName: "catalog",
      reason: "answered UNAUTHENTICATED",
    });
    expect(catalog.calls()).toBe(1);
  });

  it("signs each call under the service's own identity, never as the router", async () => {
    const key = "orders-key-for-the-catalog-client-test";
    const catalog = await catalogAnswering([200]);
    const client = createCatalogClient({ url: catalog.url, identity: { service: "orders", key } });
    await client.findProducts([PRODUCT.id]);
    const sent = catalog.headers()[0] ?? {};
    expect(sent[ROUTER_SIGNATURE_HEADER]).toBeUndefined();
    expect(
      verifyServiceSignature(sent[SERVICE_SIGNATURE_HEADER] as string | undefined, new Map([["orders", key]])),
    ).toEqual({ ok: true, service: "orders" });
  });

  it("names the catalog's refusal of its identity (401 with a reason) without retrying or tripping the breaker", async () => {
    const catalog = await catalogAnswering(["refused"]);
    const client = createCatalogClient({
      url: catalog.url,
      retries: 3,
      retryDelayMs: 1,
      breakerConsecutiveFailures: 1,
    });
    const error = await failure(client.findProducts([PRODUCT.id]));
    expect(error.extensions).toMatchObject({
      code: "SUBGRAPH_HTTP_ERROR",
      serviceName: "catalog",
      reason: "answered UNAUTHENTICATED (SERVICE_SIGNATURE_UNKNOWN_SERVICE)",
    });
    expect(catalog.calls()).toBe(1);
    expect(client.view().state).toBe("closed");
  });
});
