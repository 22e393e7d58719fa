import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CatalogUnavailableError, createCatalogClient } from "../src/catalogClient.js";

const PRODUCT = { id: "A0B6F3A2-6B1C-4A59-9D1E-3F7C2A1B4C5D", sku: "S", name: "Fries", price: { amount: 199, currency: "EUR" }, available: true };
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real HTTP server answering with `answers[i]` on the i-th request ("hang" never answers). */
async function catalogAnswering(answers: (number | "hang" | "graphql-error")[]): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  server = createServer((_req, res) => {
    const answer = answers[Math.min(calls, answers.length - 1)];
    calls += 1;
    if (answer === "hang") return;
    res.setHeader("content-type", "application/json");
    if (answer === "graphql-error") return void res.end(JSON.stringify({ errors: [{ message: "boom" }] }));
    res.statusCode = answer as number;
    res.end(answer === 200 ? JSON.stringify({ data: { _entities: [PRODUCT, null] } }) : "{}");
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, calls: () => calls };
}

describe("catalog client", () => {
  it("retries 5xx answers with back-off and returns the products keyed by lower-case id (unknown ids absent)", async () => {
    const catalog = await catalogAnswering([503, 502, 200]);
    const client = createCatalogClient({ url: catalog.url, retries: 2, retryDelayMs: 1 });
    const products = await client.findProducts([PRODUCT.id, "00000000-0000-4000-8000-000000000000"]);
    expect([...products.keys()]).toEqual([PRODUCT.id.toLowerCase()]);
    expect(catalog.calls()).toBe(3);
  });

  it("gives up after the retries with CatalogUnavailableError when every attempt times out", async () => {
    const catalog = await catalogAnswering(["hang"]);
    const client = createCatalogClient({ url: catalog.url, retries: 1, timeoutMs: 50, retryDelayMs: 1 });
    await expect(client.findProducts([PRODUCT.id])).rejects.toBeInstanceOf(CatalogUnavailableError);
    expect(catalog.calls()).toBe(2);
    server?.closeAllConnections();
  });

  it("does not retry a GraphQL error (it would fail again)", async () => {
    const catalog = await catalogAnswering(["graphql-error"]);
    const client = createCatalogClient({ url: catalog.url, retries: 3, retryDelayMs: 1 });
    await expect(client.findProducts([PRODUCT.id])).rejects.toThrow(/boom/);
    expect(catalog.calls()).toBe(1);
  });
});
