import { describe, expect, it } from "vitest";
import { scopesForRoles } from "../src/scopes.js";

describe("scopesForRoles", () => {
  it("gives customers their profile and favourites", () => {
    expect(scopesForRoles(["CUSTOMER"])).toEqual(["profile", "favorites"]);
  });

  it("adds order management and catalog writes for staff", () => {
    expect(new Set(scopesForRoles(["STAFF"]))).toEqual(
      new Set(["profile", "favorites", "orders:manage", "catalog:write"]),
    );
  });

  it("adds users:read for admins", () => {
    expect(new Set(scopesForRoles(["ADMIN"]))).toEqual(
      new Set(["profile", "favorites", "orders:manage", "catalog:write", "users:read"]),
    );
  });

  it("unions several roles without duplicates", () => {
    const scopes = scopesForRoles(["CUSTOMER", "STAFF"]);
    expect(scopes).toHaveLength(new Set(scopes).size);
    expect(new Set(scopes)).toEqual(new Set(["profile", "favorites", "orders:manage", "catalog:write"]));
  });

  it("grants nothing without roles", () => {
    expect(scopesForRoles([])).toEqual([]);
  });
});
