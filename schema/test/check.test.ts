import { describe, expect, it, vi } from "vitest";
import { runSchemaCheck } from "../src/check.js";
import { renderMarkdown, renderText } from "../src/report.js";
import { apiSchemaOf } from "../src/apiSchema.js";
import { createRouterLimits } from "../src/limits.js";
import { parseOperations } from "../src/operations.js";
import { baseSupergraph, edit, fixtureInput, realOperationFiles, realSubgraphs, stepOf, textOf } from "./fixtures.js";

// Each check composes and plans the whole graph: about 1–2 s here, many times that on a loaded CI machine.
vi.setConfig({ testTimeout: 60_000 });

// Every fixture is a small change to a copy of the real subgraph SDL, run through runSchemaCheck (what the CLI runs)
// with the base passed explicitly: the real subgraphs, freshly composed. No git involved.

const removeProductDescription = () =>
  edit(
    "catalog",
    /\n\s*"""\s*Longer text shown on the product page; may be empty\.\s*"""\s*description: String![^\n]*/,
    "",
  );
const removeStartCursor = () =>
  edit(
    "catalog",
    /\n\s*"""\s*The cursor of the first item of the page, or null when the page is empty\.\s*"""\s*startCursor: String[^\n]*/,
    "",
  );

describe("runSchemaCheck on the real subgraphs", () => {
  it("passes when nothing changed", async () => {
    const report = await runSchemaCheck(await fixtureInput());
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([
      ["composition", expect.stringMatching(/pass|warn/)],
      ["freshness", "pass"],
      ["breaking-changes", "pass"],
      ["operations", "pass"],
      ["limits", "pass"],
      ["contracts", "pass"],
      ["hygiene", expect.stringMatching(/pass|warn/)],
    ]);
    expect(report.ok).toBe(true);
    expect(report.operations.map((o) => o.name)).toEqual(
      expect.arrayContaining(["LogIn", "MyFavorites", "ProductList", "CategoryPage"]),
    );
  });
});

describe("breaking changes and client operations", () => {
  it("fails when a removed field is used by an operation, naming the operation and its file", async () => {
    const report = await runSchemaCheck(await fixtureInput({ subgraphs: removeProductDescription() }));
    expect(report.ok).toBe(false);
    const operations = stepOf(report, "operations");
    expect(operations.status).toBe("fail");
    expect(textOf(operations)).toContain("query ProductDetail (operations/catalog/ProductDetail.graphql) breaks");
    expect(textOf(operations)).toMatch(
      /operations\/catalog\/ProductDetail\.graphql:\d+:\d+: Cannot query field "description" on type "Product"/,
    );
    expect(textOf(operations)).toContain("relies on FIELD_REMOVED Product.description");
    const change = report.changes.find((c) => c.schema === "api" && c.path === "Product.description");
    expect(change).toMatchObject({ level: "breaking", type: "FIELD_REMOVED" });
    expect(change?.usedBy).toEqual(expect.arrayContaining(["ProductDetail", "CreateProduct", "UpdateProduct"]));
    expect(report.operations.find((o) => o.name === "ProductDetail")?.status).toBe("fail");
    expect(report.operations.find((o) => o.name === "Me")?.status).toBe("pass");
  });

  it("passes with a warning when the removed field is used by no operation", async () => {
    const report = await runSchemaCheck(await fixtureInput({ subgraphs: removeStartCursor() }));
    expect(report.ok).toBe(true);
    const changes = stepOf(report, "breaking-changes");
    expect(changes.status).toBe("warn");
    expect(changes.summary).toMatch(/^1 breaking/);
    expect(textOf(changes)).toContain("breaking: FIELD_REMOVED PageInfo.startCursor");
    expect(textOf(changes)).toContain("no client operation uses it");
    expect(stepOf(report, "operations").status).toBe("pass");
  });

  it("passes when a field is added, classifying the change as safe", async () => {
    const subgraphs = edit(
      "catalog",
      'type Category @key(fields: "id") {',
      'type Category @key(fields: "id") {\n  """\n  How many products the category lists.\n  """\n  productCount: Int!',
    );
    const report = await runSchemaCheck(await fixtureInput({ subgraphs }));
    expect(report.ok).toBe(true);
    expect(report.changes.filter((c) => c.schema === "api")).toEqual([
      expect.objectContaining({ level: "safe", type: "FIELD_ADDED", path: "Category.productCount" }),
      expect.objectContaining({ level: "safe", type: "FIELD_DESCRIPTION_ADDED", path: "Category.productCount" }),
    ]);
    expect(stepOf(report, "breaking-changes")).toMatchObject({
      status: "pass",
      summary: "0 breaking, 0 dangerous, 2 safe",
    });
    expect(stepOf(report, "contracts").summary).toBe("public: no changes beyond the API schema's");
  });

  it("accepts a used break listed in the allowlist, with its reason", async () => {
    const reason = "The product page shows the description from the CMS since web 4.2; older apps are retired.";
    const allowlist = { entries: [{ path: "Product.description", type: "FIELD_REMOVED", reason }], problems: [] };
    const report = await runSchemaCheck(await fixtureInput({ subgraphs: removeProductDescription(), allowlist }));
    expect(report.ok).toBe(true);
    const operations = stepOf(report, "operations");
    expect(operations.status).toBe("warn");
    expect(textOf(operations)).toContain(
      "query ProductDetail (operations/catalog/ProductDetail.graphql) breaks, accepted by the allowlist",
    );
    expect(textOf(operations)).toContain(reason);
  });

  it("fails on an invalid allowlist and warns about entries that match nothing", async () => {
    const allowlist = {
      entries: [{ path: "Query.gone", reason: "stale" }],
      problems: ['schema/allowed-changes.json: changes[1] (Product.sku) needs a "reason"'],
    };
    const report = await runSchemaCheck(await fixtureInput({ allowlist }));
    const operations = stepOf(report, "operations");
    expect(operations.status).toBe("fail");
    expect(textOf(operations)).toContain('changes[1] (Product.sku) needs a "reason"');
    expect(textOf(operations)).toContain("allowlist entry Query.gone matches no change: remove it");
  });

  it("skips the breaking-change step with a reason when there is no base, and still validates operations", async () => {
    const report = await runSchemaCheck(await fixtureInput({ base: { kind: "none", reason: "not a git checkout" } }));
    expect(report.ok).toBe(true);
    expect(report.base).toEqual({ skipped: "not a git checkout" });
    expect(stepOf(report, "breaking-changes")).toMatchObject({
      status: "skip",
      summary: "no base, breaking-change step skipped: not a git checkout",
    });
    expect(stepOf(report, "operations").summary).toMatch(/valid \(validated only: no base\)$/);
  });
});

describe("composition and freshness", () => {
  it("fails on a composition conflict with the rule, the subgraphs, the field and the files in plain words", async () => {
    const subgraphs = edit(
      "accounts",
      /type Product @key\(fields: "id", resolvable: false\)[^{]*\{/,
      '$&\n  """\n  Conflicting.\n  """\n  name: Int!',
    );
    const report = await runSchemaCheck(await fixtureInput({ subgraphs }));
    expect(report.ok).toBe(false);
    const composition = stepOf(report, "composition");
    expect(composition.status).toBe("fail");
    const mismatch = composition.findings.find((f) => f.message.startsWith("FIELD_TYPE_MISMATCH"));
    expect(mismatch?.message).toBe("FIELD_TYPE_MISMATCH at Product.name (subgraph accounts, catalog)");
    expect(mismatch?.details).toEqual(
      expect.arrayContaining([
        expect.stringContaining('it has type "Int!" in subgraph "accounts" but type "String!" in subgraph "catalog"'),
        "rule FIELD_TYPE_MISMATCH: A field has a type that is incompatible with other declarations of that field in other subgraphs.",
        expect.stringMatching(/^at subgraphs\/accounts\/schema\.graphql:\d+:\d+$/),
        expect.stringMatching(/^at subgraphs\/catalog\/schema\.graphql:\d+:\d+$/),
      ]),
    );
    expect(stepOf(report, "freshness")).toMatchObject({ status: "skip", summary: "composition failed" });
  });

  it("fails when the committed supergraph is stale, with the command that updates it", async () => {
    const subgraphs = edit(
      "catalog",
      'type Category @key(fields: "id") {',
      'type Category @key(fields: "id") {\n  """\n  Shown in the menu.\n  """\n  icon: String',
    );
    const report = await runSchemaCheck(await fixtureInput({ subgraphs, committedSupergraph: baseSupergraph }));
    expect(report.ok).toBe(false);
    const freshness = stepOf(report, "freshness");
    expect(freshness.status).toBe("fail");
    expect(textOf(freshness)).toContain("schema/supergraph.graphql is stale: it differs from a fresh composition");
    expect(textOf(freshness)).toContain("run `npm run schema:compose` and commit it");
  });

  it("fails when the committed supergraph is missing", async () => {
    const report = await runSchemaCheck(await fixtureInput({ committedSupergraph: null }));
    expect(textOf(stepOf(report, "freshness"))).toContain("schema/supergraph.graphql is missing");
    expect(report.ok).toBe(false);
  });
});

describe("cost and limits under the router's limits", () => {
  const greedy = {
    path: "operations/catalog/EveryProductEverywhere.graphql",
    source: `query EveryProductEverywhere {
      categories { products(first: 100) { edges { node { name category { products(first: 100) { edges { node { name price { amount } } } } } } } } }
    }`,
  };

  it("fails an operation the router would refuse for its cost, naming it", async () => {
    const report = await runSchemaCheck(await fixtureInput({ extraOperations: [greedy] }));
    expect(report.ok).toBe(false);
    const limits = stepOf(report, "limits");
    expect(limits.status).toBe("fail");
    expect(textOf(limits)).toContain(
      "query EveryProductEverywhere (operations/catalog/EveryProductEverywhere.graphql): the router would refuse it",
    );
    const measured = report.operations
      .find((o) => o.name === "EveryProductEverywhere")
      ?.limits.find((l) => l.limit === "maxCost");
    expect(measured?.exceeded).toBe(true);
    expect(measured?.measured).toBeGreaterThan(measured?.max ?? Number.POSITIVE_INFINITY);
    expect(report.operations.filter((o) => o.status === "fail").map((o) => o.name)).toEqual(["EveryProductEverywhere"]);
  });

  it("takes the cost limit and its mode from the router's config variables", async () => {
    const enforced = await runSchemaCheck(await fixtureInput({ limits: { env: { COST_MAX: "30" } } }));
    expect(stepOf(enforced, "limits").status).toBe("fail");
    expect(textOf(stepOf(enforced, "limits"))).toMatch(
      /query ProductList \(operations\/catalog\/ProductList\.graphql\): the router would refuse it\nmaxCost: \d+ > 30/,
    );

    const measured = await runSchemaCheck(
      await fixtureInput({
        limits: { env: { COST_MAX: "30", COST_MODE: "measure", JWT_SECRET: "ignored: not a limit variable" } },
      }),
    );
    expect(measured.ok).toBe(true);
    expect(stepOf(measured, "limits").status).toBe("warn");
    expect(textOf(stepOf(measured, "limits"))).toContain(
      "query ProductList (operations/catalog/ProductList.graphql): over a limit the router only warns about",
    );
  });

  it("fails an operation under COST_MAX at document level but over it once planned, as the router refuses it", async () => {
    // MyFavorites crosses subgraphs (favorites in accounts, products in catalog): its entity fetch costs on top.
    const costs = (report: Awaited<ReturnType<typeof runSchemaCheck>>) => {
      const limits = report.operations.find((o) => o.name === "MyFavorites")?.limits ?? [];
      return {
        document: limits.find((l) => l.limit === "maxCost"),
        plan: limits.find((l) => l.limit === "maxPlanCost"),
      };
    };
    const api = apiSchemaOf(baseSupergraph);
    const myFavorites = parseOperations(realOperationFiles).operations.find((o) => o.name === "MyFavorites");
    if (!api.ok || !myFavorites) throw new Error("fixture: no API schema or no MyFavorites operation");
    const unlimited = createRouterLimits().measure(myFavorites, {
      apiSchema: api.schema,
      supergraphSdl: baseSupergraph,
    });
    const documentCost = unlimited.find((l) => l.limit === "maxCost")?.measured ?? Number.NaN;
    const planCost = unlimited.find((l) => l.limit === "maxPlanCost")?.measured ?? Number.NaN;
    expect(planCost).toBeGreaterThan(documentCost);

    // COST_MAX exactly at the document figure: the document-level guard lets it through, the plan-level one does not.
    const report = await runSchemaCheck(await fixtureInput({ limits: { env: { COST_MAX: String(documentCost) } } }));
    const { document, plan } = costs(report);
    expect(document).toMatchObject({ measured: documentCost, max: documentCost, exceeded: false, enforced: true });
    expect(plan).toMatchObject({ measured: planCost, max: documentCost, exceeded: true, enforced: true });
    expect(report.ok).toBe(false);
    expect(report.operations.find((o) => o.name === "MyFavorites")?.status).toBe("fail");
    const text = textOf(stepOf(report, "limits"));
    expect(text).toContain(
      `query MyFavorites (operations/accounts/MyFavorites.graphql): the router would refuse it\nmaxPlanCost: ${planCost} > ${documentCost}`,
    );
    expect(text).not.toMatch(/MyFavorites[^\n]*\n(maxPlanCost[^\n]*\n)?maxCost:/);
    expect(renderText(report)).toMatch(
      new RegExp(
        `MyFavorites +query +fail +depth \\d+/\\d+ · doc cost ${documentCost}/${documentCost} · plan cost ${planCost}/${documentCost} ✗`,
      ),
    );
  });

  it("fails a real operation when the depth limit is lowered below it", async () => {
    const report = await runSchemaCheck(await fixtureInput({ limits: { overrides: { maxDepth: 3 } } }));
    expect(stepOf(report, "limits").status).toBe("fail");
    const categoryPage = report.operations.find((o) => o.name === "CategoryPage");
    expect(categoryPage?.limits.find((l) => l.limit === "maxDepth")).toMatchObject({
      measured: 5,
      max: 3,
      exceeded: true,
    });
    expect(report.operations.find((o) => o.name === "Me")?.status).toBe("pass");
  });
});

describe("contracts", () => {
  const tagged = () =>
    edit("catalog", /import: \[([^\]]*)\]/, 'import: [$1, "@tag"]').map((s) =>
      s.name === "catalog" ? { ...s, sdl: s.sdl.replace(/sku: String!/, 'sku: String! @tag(name: "internal")') } : s,
    );

  it("leaves internal elements out of the public contract and fails when a public client used them", async () => {
    const report = await runSchemaCheck(await fixtureInput({ subgraphs: tagged() }));
    const contracts = stepOf(report, "contracts");
    expect(contracts.status).toBe("fail");
    expect(textOf(contracts)).toContain("public: breaking: FIELD_REMOVED Product.sku");
    expect(textOf(contracts)).toContain(
      "query ProductDetail (operations/catalog/ProductDetail.graphql) breaks (public contract)",
    );
    // The API schema still has the field: only the contract changed.
    expect(stepOf(report, "operations").status).toBe("pass");
  });

  it("fails when a required input field's type is excluded from the contract", async () => {
    const subgraphs = edit("catalog", /import: \[([^\]]*)\]/, 'import: [$1, "@tag"]').map((s) =>
      s.name === "catalog"
        ? { ...s, sdl: s.sdl.replace("input MoneyInput {", 'input MoneyInput @tag(name: "internal") {') }
        : s,
    );
    const report = await runSchemaCheck(await fixtureInput({ subgraphs }));
    expect(textOf(stepOf(report, "contracts"))).toContain(
      "input field CreateProductInput.price is required but its type MoneyInput is excluded",
    );
    expect(report.ok).toBe(false);
  });
});

describe("subgraph hygiene", () => {
  it("fails on a missing description and reports naming conventions", async () => {
    const subgraphs = edit(
      "accounts",
      /(type Mutation[^{]*\{)/,
      '$1\n  resetEverything(input: WipeInput!): Boolean!\n  """\n  Fine.\n  """\n  bad_name: Int',
    ).map((s) =>
      s.name === "accounts"
        ? {
            ...s,
            sdl: `${s.sdl}\n"""\nWhat to wipe.\n"""\ninput WipeInput {\n  """\n  Which.\n  """\n  scope: String\n}\n`,
          }
        : s,
    );
    const report = await runSchemaCheck(await fixtureInput({ subgraphs }));
    const hygiene = stepOf(report, "hygiene");
    expect(hygiene.status).toBe("fail");
    const text = textOf(hygiene);
    expect(text).toMatch(
      /accounts: 2 public element\(s\) without a description\n.*:\d+:\d+: Mutation\.resetEverything\n.*:\d+:\d+: Mutation\.resetEverything\(input:\)/,
    );
    expect(text).toContain("field Mutation.bad_name should be camelCase");
    expect(text).toContain("mutation resetEverything takes WipeInput; name its input ResetEverythingInput");
    expect(text).toContain("mutation resetEverything returns Boolean; return ResetEverythingPayload");
  });

  it("warns on a non-null field contributed to an entity by a subgraph that does not own it, unless allowed with a reason", async () => {
    // reviews contributes Product.rating to catalog's Product; loyalty contributes User.loyalty to accounts' User.
    const subgraphs = edit(
      "loyalty",
      "loyalty: LoyaltyAccount @tag",
      "loyalty: LoyaltyAccount! @tag",
      edit("reviews", "rating: ProductRating @tag", "rating: ProductRating! @tag"),
    );
    const warned = stepOf(await runSchemaCheck(await fixtureInput({ subgraphs })), "hygiene");
    expect(warned.status).toBe("warn");
    const text = textOf(warned);
    expect(text).toContain("2 non-null field(s) contributed to an entity by a subgraph that does not own it");
    expect(text).toMatch(/Product\.rating \(reviews, at subgraphs\/reviews\/schema\.graphql:\d+\): owned by catalog/);
    expect(text).toMatch(/User\.loyalty \(loyalty, at subgraphs\/loyalty\/schema\.graphql:\d+\): owned by accounts/);
    // Fields the owner resolves itself (Product.name, Order.customer) and key fields are never boundary fields.
    expect(text).not.toMatch(/Product\.name|Order\.customer|\.id /);

    const allowed = await runSchemaCheck(
      await fixtureInput({
        subgraphs,
        boundaryAllowlist: {
          entries: [
            { field: "Product.rating", reason: "the card cannot render without a rating" },
            { field: "User.loyalty", reason: "a member page without points is useless" },
            { field: "Order.customer", reason: "stale entry" },
          ],
          problems: [],
        },
      }),
    );
    const hygiene = stepOf(allowed, "hygiene");
    expect(textOf(hygiene)).not.toContain("non-null field(s) contributed");
    expect(hygiene.findings.map((f) => f.message)).toContain(
      "boundary allowlist entry Order.customer matches no non-null boundary field: remove it",
    );
  });

  it("finds no non-null boundary field in the real subgraphs", async () => {
    const hygiene = stepOf(await runSchemaCheck(await fixtureInput()), "hygiene");
    expect(textOf(hygiene)).not.toContain("contributed to an entity");
  });

  it("builds every real subgraph in-process and finds its served _service SDL equal to schema.graphql", async () => {
    const report = await runSchemaCheck(await fixtureInput());
    const hygiene = stepOf(report, "hygiene");
    expect(hygiene.findings.filter((f) => f.level === "error")).toEqual([]);
    expect(hygiene.summary).toBe(`${realSubgraphs.length} subgraphs checked`);
  });
});

describe("reports", () => {
  it("renders the text and Markdown reports with the failing operation", async () => {
    const report = await runSchemaCheck(await fixtureInput({ subgraphs: removeProductDescription() }));
    const text = renderText(report);
    expect(text).toContain("✗ 4. Client operations (API schema): FAIL");
    expect(text).toMatch(/Result: FAIL: Client operations \(API schema\)$/m);
    const markdown = renderMarkdown(report);
    expect(markdown).toMatch(/^## ❌ Schema check: FAIL/);
    expect(markdown).toContain("| ❌ | 4. Client operations (API schema) |");
    expect(markdown).toContain("| `ProductDetail` (query) | `operations/catalog/ProductDetail.graphql` | ❌ |");
  });
});
