import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL } from "@commerce/testing";
import { hostileCases, sendHostile } from "./fixtures/hostile.js";
import { serveLocalRouter } from "./fixtures/servedRouter.js";

let router: { url: string; stop: () => Promise<void> };
beforeAll(async () => {
  router = await serveLocalRouter();
});
afterAll(async () => {
  await router?.stop();
});

// Timings: `npm run bench:hostile -w @commerce/router` (bench/hostile.ts) prints how long each refusal takes.
describe("hostile inputs over HTTP", () => {
  for (const hostile of hostileCases()) {
    it(`refuses ${hostile.name} with ${hostile.status} ${hostile.code}, then answers normally`, async () => {
      expect(await sendHostile(router.url, hostile)).toEqual({ status: hostile.status, code: hostile.code });
      const normal = await postGraphQL(router.url, '{ product(id: "p1") { name } }');
      expect(normal.status).toBe(200);
      expect(normal.data).toEqual({ product: { name: "Kettle" } });
    });
  }

  it("puts a request id on refusals that never reach GraphQL", async () => {
    const response = await fetch(router.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "hostile-1" },
      body: "{",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-request-id")).toBe("hostile-1");
  });
});
