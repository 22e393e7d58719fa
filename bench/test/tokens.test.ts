import { jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { tokenFactory } from "../src/harness/tokens.js";

const settings = {
  secret: "a-test-secret-of-at-least-32-characters!",
  issuer: "commerce-supergraph",
  audience: "commerce-api",
};

describe("tokenFactory", () => {
  it("signs tokens that verify like the router verifies them, each with its own sub", async () => {
    const next = tokenFactory(settings);
    const key = new TextEncoder().encode(settings.secret);
    const verified = await Promise.all(
      [next(), next(), next()].map((token) =>
        jwtVerify(token, key, {
          algorithms: ["HS256"],
          issuer: settings.issuer,
          audience: settings.audience,
          requiredClaims: ["sub", "exp"],
        }),
      ),
    );
    const subjects = verified.map(({ payload }) => payload.sub);
    expect(new Set(subjects).size).toBe(3);
  });

  it("signs tokens another secret does not verify", async () => {
    const token = tokenFactory(settings)();
    await expect(
      jwtVerify(token, new TextEncoder().encode("another-secret-of-at-least-32-characters")),
    ).rejects.toThrow();
  });
});
