import { ApolloServer } from "@apollo/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema } from "graphql";
import {
  callerName,
  callerOf,
  ROUTER_SIGNATURE_HEADER,
  routerSigner,
  serveGraphQL,
  SERVICE_SIGNATURE_HEADER,
  signRouterRequest,
  signServiceRequest,
  verifyRouterSignature,
  type Served,
} from "../src/index.js";

const SECRET = "router-secret-for-tests-0123456789abcdef";
const ORDERS_KEY = "orders-service-key-for-tests-0123456789";
const schema = buildSchema("type Query { hello: String caller: String }");
let served: Served;
let origin: string;

beforeAll(async () => {
  served = await serveGraphQL({
    apollo: () =>
      new ApolloServer({
        schema,
        rootValue: {
          hello: "world",
          caller: (_args: unknown, context: { caller: string }) => context.caller,
        },
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      }),
    context: async (req) => {
      const caller = callerOf(req);
      return { caller: caller ? callerName(caller) : "unknown" };
    },
    host: "127.0.0.1",
    port: 0,
    bodyLimit: 1024,
    routerSecret: SECRET,
    trustedServices: new Map([["orders", ORDERS_KEY]]),
  });
  origin = new URL(served.url).origin;
});
afterAll(async () => {
  await served?.stop();
});

const post = (headers: Record<string, string>, body = JSON.stringify({ query: "{ hello }" })) =>
  fetch(served.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("router signatures", () => {
  it("verifies a fresh signature made with the same secret only", () => {
    const now = 1_700_000_000;
    expect(verifyRouterSignature(signRouterRequest(SECRET, now), SECRET, { nowSeconds: now })).toEqual({ ok: true });
    expect(verifyRouterSignature(signRouterRequest("another-secret", now), SECRET, { nowSeconds: now })).toEqual({
      ok: false,
      reason: "INVALID",
    });
    expect(verifyRouterSignature(signRouterRequest(SECRET, now - 301), SECRET, { nowSeconds: now })).toEqual({
      ok: false,
      reason: "EXPIRED",
    });
    expect(verifyRouterSignature("t=1,v1=zz", SECRET)).toEqual({ ok: false, reason: "MALFORMED" });
    expect(verifyRouterSignature(undefined, SECRET)).toEqual({ ok: false, reason: "MISSING" });
  });
});

describe("routerSigner", () => {
  it("signs once per window, and every header of the window verifies until the subgraphs' skew runs out", () => {
    let nowMs = 1_700_000_070_000;
    const sign = routerSigner(SECRET, { windowSeconds: 60, now: () => nowMs });
    const first = sign();
    expect(first).toMatch(/^t=1700000040,/);
    nowMs += 29_000;
    expect(sign()).toBe(first);
    expect(verifyRouterSignature(first, SECRET, { nowSeconds: Math.floor(nowMs / 1000) })).toEqual({ ok: true });
    nowMs += 1_000;
    const next = sign();
    expect(next).not.toBe(first);
    expect(next).toMatch(/^t=1700000100,/);
  });
});

describe("serveGraphQL with a router secret", () => {
  it("answers the router's signed requests", async () => {
    const response = await post({ [ROUTER_SIGNATURE_HEADER]: signRouterRequest(SECRET) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { hello: "world" } });
  });

  it("refuses unsigned or wrongly signed requests with 401 UNAUTHENTICATED before GraphQL runs", async () => {
    for (const [headers, reason] of [
      [{}, "ROUTER_SIGNATURE_MISSING"],
      [
        { [ROUTER_SIGNATURE_HEADER]: signRouterRequest("not-the-secret-but-long-enough-000") },
        "ROUTER_SIGNATURE_INVALID",
      ],
    ] as const) {
      const response = await post(headers);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: { extensions: unknown }[] };
      expect(body.errors[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason });
    }
  });

  it("names the router as the caller of its requests", async () => {
    const response = await post(
      { [ROUTER_SIGNATURE_HEADER]: signRouterRequest(SECRET) },
      JSON.stringify({ query: "{ caller }" }),
    );
    expect(await response.json()).toEqual({ data: { caller: "router" } });
  });

  it("answers a trusted service under its own identity, and names it as the caller", async () => {
    const response = await post(
      { [SERVICE_SIGNATURE_HEADER]: signServiceRequest("orders", ORDERS_KEY) },
      JSON.stringify({ query: "{ caller }" }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { caller: "orders" } });
  });

  it("refuses a service signature that is not a trusted service's with 401 and the reason", async () => {
    const expired = signServiceRequest("orders", ORDERS_KEY, Math.floor(Date.now() / 1000) - 600);
    for (const [header, reason] of [
      [signServiceRequest("reviews", ORDERS_KEY), "SERVICE_SIGNATURE_UNKNOWN_SERVICE"],
      [signServiceRequest("orders", "not-the-orders-key-but-long-enough-00"), "SERVICE_SIGNATURE_INVALID"],
      [expired, "SERVICE_SIGNATURE_EXPIRED"],
      ["s=orders", "SERVICE_SIGNATURE_MALFORMED"],
      // The router's secret does not make a service signature: the two are different keys and texts.
      [signServiceRequest("orders", SECRET), "SERVICE_SIGNATURE_INVALID"],
    ] as const) {
      const response = await post({ [SERVICE_SIGNATURE_HEADER]: header });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: { extensions: unknown }[] };
      expect(body.errors[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason });
    }
  });

  it("checks the router's signature when a request carries both headers", async () => {
    const response = await post({
      [ROUTER_SIGNATURE_HEADER]: signRouterRequest("not-the-secret-but-long-enough-000"),
      [SERVICE_SIGNATURE_HEADER]: signServiceRequest("orders", ORDERS_KEY),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { extensions: unknown }[] };
    expect(body.errors[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "ROUTER_SIGNATURE_INVALID" });
  });

  it("keeps /health open", async () => {
    expect((await fetch(`${origin}/health`)).status).toBe(200);
  });
});

describe("request ids and request errors", () => {
  it("puts a request id on every response: health, unknown routes, refusals", async () => {
    expect(
      (await fetch(`${origin}/health`, { headers: { "x-request-id": "abc-1" } })).headers.get("x-request-id"),
    ).toBe("abc-1");
    const missing = await fetch(`${origin}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await post({ "x-request-id": "bad id!" })).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers oversized bodies 413, bad JSON 400 and non-JSON content 415, as GraphQL errors", async () => {
    const signed = { [ROUTER_SIGNATURE_HEADER]: signRouterRequest(SECRET) };
    const big = await post(signed, JSON.stringify({ query: `{ hello } #${"x".repeat(2000)}` }));
    expect(big.status).toBe(413);
    expect(
      ((await big.json()) as { errors: { extensions: { code: string; limit: unknown } }[] }).errors[0]?.extensions,
    ).toMatchObject({
      code: "MAX_BODY_BYTES_LIMIT",
      limit: { max: 1024 },
    });
    const broken = await post(signed, "{");
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      errors: [
        { message: "The request body is not valid JSON.", extensions: { code: "BAD_REQUEST", reason: "INVALID_JSON" } },
      ],
    });
    const text = await fetch(served.url, {
      method: "POST",
      headers: { ...signed, "content-type": "text/plain" },
      body: "{ hello }",
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions).toEqual({
      code: "BAD_REQUEST",
      reason: "UNSUPPORTED_MEDIA_TYPE",
    });
  });
});

describe("serveGraphQL trustProxy", () => {
  type IpContext = { ip: string | undefined };
  const serveIp = (trustProxy?: number) =>
    serveGraphQL<IpContext>({
      apollo: () =>
        new ApolloServer<IpContext>({
          typeDefs: "type Query { ip: String }",
          resolvers: { Query: { ip: (_: unknown, __: unknown, context: IpContext) => context.ip } },
          logger: { debug() {}, info() {}, warn() {}, error() {} },
        }),
      // As the router's context does: the caller's address is `req.ip`.
      context: async (req) => ({ ip: req.ip }),
      host: "127.0.0.1",
      port: 0,
      ...(trustProxy === undefined ? {} : { trustProxy }),
    });
  const ipSeenBy = async (server: Served, forwardedFor: string) => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
      body: JSON.stringify({ query: "{ ip }" }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { data: { ip: string | null } }).data.ip;
  };

  it("with one trusted hop, takes the address the proxy appended to X-Forwarded-For, not one the client wrote", async () => {
    const behindProxy = await serveIp(1);
    try {
      expect(await ipSeenBy(behindProxy, "203.0.113.7")).toBe("203.0.113.7");
      // The client's own X-Forwarded-For comes first; the trusted proxy appends the address it saw.
      expect(await ipSeenBy(behindProxy, "198.51.100.1, 203.0.113.7")).toBe("203.0.113.7");
    } finally {
      await behindProxy.stop();
    }
  });

  it("ignores X-Forwarded-For by default: the socket's peer is the client", async () => {
    const direct = await serveIp();
    try {
      expect(await ipSeenBy(direct, "203.0.113.7")).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    } finally {
      await direct.stop();
    }
  });
});
