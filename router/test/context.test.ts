import { describe, expect, it } from "vitest";
import { createContext, requestIdFrom } from "../src/context.js";
import { createTokenVerifier } from "@commerce/auth";
import { bearer, silentLogger, TEST_JWT_SECRET } from "./helpers.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("requestIdFrom", () => {
  it("keeps a short, safe incoming id", () => {
    expect(requestIdFrom("req-42.a:b_C")).toBe("req-42.a:b_C");
    expect(requestIdFrom(["first", "second"])).toBe("first");
  });

  it("generates a UUID when the header is missing, too long or unsafe", () => {
    for (const header of [undefined, "", "x".repeat(65), "a b", "evil\r\nset-cookie: x", "<script>"]) {
      expect(requestIdFrom(header)).toMatch(UUID);
    }
  });
});

describe("createContext", () => {
  const context = createContext(silentLogger);

  it("carries the Authorization header and the request id", async () => {
    const value = await context({ headers: { authorization: "Bearer t", "x-request-id": "abc" } });
    expect(value).toMatchObject({ authorization: "Bearer t", requestId: "abc" });
  });

  it("leaves authorization out when there is none", async () => {
    const value = await context({ headers: {} });
    expect(value).not.toHaveProperty("authorization");
    expect(value.requestId).toMatch(UUID);
  });
});

describe("createContext with verification and limits", () => {
  const verify = createTokenVerifier({ secret: TEST_JWT_SECRET });
  const context = createContext(silentLogger, { verify, limits: { maxBatchSize: 2, maxAliases: 1 } });

  it("verifies the token and bills the user, else the address", async () => {
    expect(await context({ headers: { authorization: await bearer("u7", ["profile"]) } })).toMatchObject({
      viewer: { userId: "u7", scopes: new Set(["profile"]) },
      clientId: "user:u7",
    });
    expect((await context({ headers: {}, ip: "10.0.0.1" })).clientId).toBe("ip:10.0.0.1");
  });

  it("bills an anonymous caller by its address whatever client name it sends, so rotating the name buys no budget", async () => {
    const ids = new Set<string>();
    for (const name of ["web-shop", "web-shop-2", "x".repeat(64), ""]) {
      ids.add((await context({ headers: { "apollographql-client-name": name }, ip: "10.0.0.1" })).clientId);
    }
    expect([...ids]).toEqual(["ip:10.0.0.1"]);
    // Another address is another budget; a verified user keeps their own, whichever address they call from.
    expect((await context({ headers: { "apollographql-client-name": "web-shop" }, ip: "10.0.0.2" })).clientId).toBe(
      "ip:10.0.0.2",
    );
    const user = await context({
      headers: { authorization: await bearer("u7"), "apollographql-client-name": "web-shop" },
      ip: "10.0.0.1",
    });
    expect(user.clientId).toBe("user:u7");
  });

  it("fails with 401 on a token that does not verify", async () => {
    await expect(context({ headers: { authorization: "Bearer not-a-jwt" } })).rejects.toMatchObject({
      extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
    });
  });

  it("refuses an oversized batch or an operation over a limit, or only records them in warn mode", async () => {
    const batch = [{ query: "{ a }" }, { query: "{ a }" }, { query: "{ a }" }];
    await expect(context({ headers: {}, body: batch })).rejects.toMatchObject({
      extensions: { code: "MAX_BATCH_SIZE_LIMIT", limit: { measured: 3, max: 2 }, http: { status: 400 } },
    });
    await expect(context({ headers: {}, body: { query: "{ x: a y: a }" } })).rejects.toMatchObject({
      extensions: { code: "MAX_ALIASES_LIMIT" },
    });
    const warn = createContext(silentLogger, { limits: { maxBatchSize: 2 }, limitsMode: "warn" });
    expect((await warn({ headers: {}, body: batch })).limitWarnings).toEqual([
      { limit: "maxBatchSize", code: "MAX_BATCH_SIZE_LIMIT", measured: 3, max: 2 },
    ]);
  });
});
