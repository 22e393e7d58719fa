import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSchema, parse } from "graphql";
import { afterAll, describe, expect, it } from "vitest";
import { findAllowed, parseAllowlist } from "../src/allowlist.js";
import { parseBoundaryAllowlist } from "../src/boundary.js";
import { apiSchemaOf, contractSchemaOf } from "../src/apiSchema.js";
import { resolveGitBase } from "../src/base.js";
import { relies } from "../src/changes.js";
import { tagContractExclusions } from "../src/contractTags.js";
import { differingDefinitions } from "../src/hygiene.js";
import { parseOperations, usedCoordinates, validateOperation } from "../src/operations.js";
import { composeOrThrow } from "./fixtures.js";

const link = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@tag"])`;
const supergraphOf = (sdl: string) =>
  composeOrThrow([{ name: "shop", url: "http://shop/graphql", schemaPath: "shop.graphql", sdl: `${link}\n${sdl}` }]);

describe("contracts", () => {
  const shop = supergraphOf(`
    type Query { products(filter: Filter): [Product!]! audit: AuditLog @tag(name: "internal") }
    type Product @key(fields: "id") { id: ID! name: String! cost: Money! @tag(name: "internal") supplier: Supplier }
    type Supplier @tag(name: "internal") { id: ID! }
    type AuditLog { entries: [String!]! }
    type Money { amount: Int! }
    input Filter { name: String supplierId: SupplierRef }
    input SupplierRef @tag(name: "internal") { id: ID! }
  `);

  it("removes tagged elements, what returns or takes them, and types only they reached", () => {
    const tagged = tagContractExclusions(shop, ["internal"]);
    expect(tagged.ok && tagged.excluded).toEqual([
      "Filter.supplierId",
      "Product.cost",
      "Product.supplier",
      "Query.audit",
      "Supplier",
      "SupplierRef",
    ]);
    const contract = contractSchemaOf(shop, { name: "public", excludeTags: ["internal"] });
    expect(contract.ok).toBe(true);
    if (!contract.ok) return;
    for (const gone of ["cost", "supplier", "Supplier", "audit", "AuditLog", "Money", "SupplierRef"])
      expect(contract.sdl).not.toContain(gone);
    expect(contract.sdl).toContain("name: String!");
    // The API schema keeps them: only @inaccessible hides from it.
    const api = apiSchemaOf(shop);
    expect(api.ok && api.sdl).toContain("audit: AuditLog");
  });

  it("is the API schema when nothing is tagged with an excluded tag", () => {
    const api = apiSchemaOf(shop);
    const contract = contractSchemaOf(shop, { name: "everything", excludeTags: ["nothing-has-this-tag"] });
    expect(contract.ok && api.ok && contract.sdl === api.sdl).toBe(true);
  });

  it("refuses to drop a required argument whose type is excluded", () => {
    const sdl = supergraphOf(
      `type Query { bySupplier(ref: SupplierRef!): [String!]! } input SupplierRef @tag(name: "internal") { id: ID! }`,
    );
    expect(tagContractExclusions(sdl, ["internal"])).toEqual({
      ok: false,
      errors: [
        "argument Query.bySupplier(ref:) is required but its type SupplierRef is excluded; exclude the field that takes it too, or make it optional",
      ],
    });
  });
});

describe("operation usage", () => {
  const schema = buildSchema(`
    enum Sort { NAME PRICE }
    input Filter { search: String sort: Sort }
    type Product { id: ID! name: String! price: Int! }
    type Query { products(first: Int, filter: Filter): [Product!]! product(id: ID!): Product }
  `);
  const coordinates = (source: string) => usedCoordinates(schema, parse(source));

  it("lists the fields, passed arguments and input values an operation relies on", () => {
    const used = coordinates(
      `query P($id: ID!) { product(id: $id) { name } products(filter: { sort: PRICE }) { id } }`,
    );
    expect([...used].sort()).toEqual(
      [
        "ID",
        "Filter",
        "Filter.sort",
        "Product",
        "Product.id",
        "Product.name",
        "Query",
        "Query.product",
        "Query.product.id",
        "Query.products",
        "Query.products.filter",
        "Sort",
        "Sort.PRICE",
        "String",
      ].sort(),
    );
  });

  it("counts every field and enum value reachable from an input variable as relied on", () => {
    const used = coordinates(`query P($filter: Filter) { products(filter: $filter) { id } }`);
    for (const c of ["Filter.search", "Filter.sort", "Sort.NAME", "Sort.PRICE"]) expect(used.has(c)).toBe(true);
    expect(used.has("Query.products.first")).toBe(false);
  });

  it("matches changes on what is used, and new required arguments on the field that gets them", () => {
    const used = coordinates(`{ products { id } }`);
    expect(relies({ type: "FIELD_REMOVED", path: "Product.id" }, used)).toBe(true);
    expect(relies({ type: "FIELD_REMOVED", path: "Product.price" }, used)).toBe(false);
    expect(relies({ type: "FIELD_ARGUMENT_ADDED", path: "Query.products.region" }, used)).toBe(true);
    expect(relies({ type: "FIELD_ARGUMENT_TYPE_CHANGED", path: "Query.products.first" }, used)).toBe(false);
  });
});

describe("operation files", () => {
  it("needs named operations with unique names, and known fragments", () => {
    const loaded = parseOperations([
      { path: "operations/a.graphql", source: "query A { me { ...User } }\nfragment User on User { id }" },
      { path: "operations/b.graphql", source: "{ me { id } }\nquery A { me { ...Missing } }" },
      { path: "operations/c.graphql", source: "query {" },
    ]);
    expect(loaded.operations.map((o) => [o.name, o.file, o.document.definitions.length])).toEqual([
      ["A", "operations/a.graphql", 2],
    ]);
    expect(loaded.problems).toEqual([
      "operations/b.graphql:1: anonymous query; client operations need a unique name (the persisted-query id)",
      'operations/b.graphql:2: operation name "A" is already used in operations/a.graphql:1; names must be unique',
      expect.stringMatching(/^operations\/c\.graphql: Syntax Error/),
    ]);
  });
});

describe("operation validation", () => {
  it("validates against the schema as the router serves it: @defer is known, its misuse is not", () => {
    const schema = buildSchema("type Product { id: ID! name: String! } type Query { product(id: ID!): Product }");
    const [deferred, misplaced] = parseOperations([
      {
        path: "operations/d.graphql",
        source: 'query D { product(id: "1") { id ... @defer(label: "name") { name } } }',
      },
      { path: "operations/e.graphql", source: 'query E { product(id: "1") @defer { id } }' },
    ]).operations;
    expect(validateOperation(schema, deferred!)).toEqual([]);
    expect(validateOperation(schema, misplaced!)).toEqual([
      'operations/e.graphql:1:28: Directive "@defer" may not be used on FIELD.',
    ]);
  });
});

describe("allowlist", () => {
  it("reads entries and requires a path and a reason for each", () => {
    const text = JSON.stringify({
      changes: [
        { path: "Product.sku", type: "FIELD_REMOVED", reason: "ok" },
        { path: "Query.x" },
        { path: "Y", reason: "r", by: "me" },
      ],
    });
    const { entries, problems } = parseAllowlist(text);
    expect(entries.map((e) => e.path)).toEqual(["Product.sku", "Y"]);
    expect(problems).toEqual([
      'schema/allowed-changes.json: changes[1] (Query.x) needs a "reason"',
      "schema/allowed-changes.json: changes[2] has unknown key(s) by (allowed: path, type, schema, reason)",
    ]);
    expect(findAllowed(entries, { path: "Product.sku", type: "FIELD_REMOVED" }, "api")?.reason).toBe("ok");
    expect(findAllowed(entries, { path: "Product.sku", type: "FIELD_TYPE_CHANGED" }, "api")).toBeUndefined();
  });

  it("reports broken JSON instead of throwing", () => {
    expect(parseAllowlist("{").problems[0]).toMatch(/^schema\/allowed-changes\.json: not valid JSON/);
  });
});

describe("boundary allowlist", () => {
  it("reads Type.field entries and requires a reason for each", () => {
    const text = JSON.stringify({
      fields: [
        { field: "Order.customer", reason: "an order is nothing without its customer" },
        { field: "Order" },
        { field: "User.loyalty" },
      ],
    });
    expect(parseBoundaryAllowlist(text)).toEqual({
      entries: [{ field: "Order.customer", reason: "an order is nothing without its customer" }],
      problems: [
        'schema/allowed-boundary-fields.json: fields[1] needs a "field" like "Order.customer"',
        'schema/allowed-boundary-fields.json: fields[2] (User.loyalty) needs a "reason"',
      ],
    });
    expect(parseBoundaryAllowlist("[]").problems).toEqual([
      'schema/allowed-boundary-fields.json: expected an object with a "fields" array',
    ]);
  });
});

describe("served SDL comparison", () => {
  it("ignores federation's additions and description style, and names definitions that differ", () => {
    const file = parse(`"""A user."""\ntype User { id: ID! }\ntype Query { me: User }`);
    const served = parse(
      `"A user." type User { id: ID! } type Query { me: User _service: _Service! } type _Service { sdl: String }`,
    );
    expect(differingDefinitions(served, file)).toEqual([]);
    expect(differingDefinitions(parse(`type User { id: ID! name: String } type Query { me: User }`), file)).toEqual([
      "ObjectTypeDefinition User",
    ]);
  });
});

describe("git base", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "schema-base-"));
    dirs.push(dir);
    return dir;
  };
  const git = (cwd: string, ...args: string[]) =>
    execFileSync(
      "git",
      ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main", ...args],
      { cwd, stdio: "pipe" },
    );

  it("is none, with the reason, outside a git checkout", () => {
    const dir = tempDir();
    expect(resolveGitBase({ cwd: dir, file: join(dir, "schema/supergraph.graphql") })).toEqual({
      kind: "none",
      reason: "not a git checkout (or git is not installed); pass --base <file> to compare against a file",
    });
  });

  it("reads the supergraph at the merge base with main, and says when the file did not exist there", () => {
    const dir = tempDir();
    const file = join(dir, "schema/supergraph.graphql");
    git(dir, "init", "-q");
    writeFileSync(join(dir, "README"), "x");
    git(dir, "add", ".");
    git(dir, "commit", "-qm", "first");
    expect(resolveGitBase({ cwd: dir, file })).toMatchObject({
      kind: "none",
      reason: expect.stringMatching(/^schema\/supergraph\.graphql does not exist at the merge base/),
    });

    mkdirSync(join(dir, "schema"));
    writeFileSync(file, "type Query { a: Int }\n");
    git(dir, "add", ".");
    git(dir, "commit", "-qm", "schema");
    git(dir, "checkout", "-qb", "feature");
    writeFileSync(file, "type Query { b: Int }\n");
    git(dir, "commit", "-qam", "change");
    const base = resolveGitBase({ cwd: dir, file });
    expect(base).toMatchObject({
      kind: "sdl",
      sdl: "type Query { a: Int }\n",
      label: expect.stringMatching(/the merge base of HEAD and main$/),
    });

    git(dir, "checkout", "-q", "main");
    expect(resolveGitBase({ cwd: dir, file })).toMatchObject({
      kind: "sdl",
      label: expect.stringContaining("HEAD is the merge base with main"),
    });
    expect(resolveGitBase({ cwd: dir, file, branch: "trunk" })).toMatchObject({
      kind: "none",
      reason: expect.stringContaining("no trunk or origin/trunk branch"),
    });
  });
});
