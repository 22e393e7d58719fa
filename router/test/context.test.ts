import { describe, expect, it } from "vitest";
import { createContext, requestIdFrom } from "../src/context.js";
import { silentLogger } from "./helpers.js";

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
