import { describe, expect, it } from "vitest";
import { execute, parse, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { ErrorCode, forbidden, unauthenticated } from "@commerce/common";
import { allow, buildSchema, deny, rule, shield } from "../src/index.js";

interface Ctx {
  signedIn: boolean;
}

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { products: [Product!]! secret: String broken: String }
  type Mutation { rename(name: String!): Product }
  type Product @key(fields: "id") { id: ID! name: String! owner: String price: Int! }
`);

const signedIn = rule({ cache: "contextual" })((_parent, _args, ctx: Ctx) => ctx.signedIn || unauthenticated());

const resolvers = {
  Query: {
    products: () => [{ id: "1", name: "Lamp", owner: "ada", price: 10 }],
    secret: () => "s3cret",
    broken: () => {
      throw new Error("a database error with details");
    },
  },
  Mutation: { rename: (_parent: unknown, { name }: { name: string }) => ({ id: "1", name, owner: "ada", price: 10 }) },
  Product: { price: (product: { price: number }) => product.price * 100 },
};

const permissions = (allowExternalErrors: boolean) =>
  shield<unknown, Ctx, unknown>(
    {
      Query: { "*": deny, products: allow, broken: allow },
      Mutation: { "*": signedIn },
      Product: { owner: signedIn },
    },
    { allowExternalErrors, fallbackError: () => forbidden() },
  );

function run(schema: GraphQLSchema, source: string, ctx: Ctx) {
  return execute({ schema, document: parse(source), contextValue: ctx }) as Promise<{
    data?: unknown;
    errors?: readonly { extensions: Record<string, unknown>; path?: readonly (string | number)[] }[];
  }>;
}

const codes = (result: Awaited<ReturnType<typeof run>>) => result.errors?.map((e) => e.extensions.code) ?? [];

describe("shield", () => {
  const schema = buildSchema<Ctx>({ typeDefs, resolvers, permissions: permissions(true) });
  const product = schema.getType("Product") as GraphQLObjectType;

  it("checks every field that has a rule: root fields, a type's wildcard and a field of an entity", async () => {
    expect(codes(await run(schema, "{ secret }", { signedIn: true }))).toEqual([ErrorCode.FORBIDDEN]);
    expect(codes(await run(schema, 'mutation { rename(name: "Desk") { name } }', { signedIn: false }))).toEqual([
      ErrorCode.UNAUTHENTICATED,
    ]);
    const anonymous = await run(schema, "{ products { name owner price } }", { signedIn: false });
    expect(codes(anonymous)).toEqual([ErrorCode.UNAUTHENTICATED]);
    expect(anonymous.errors?.[0]?.path).toEqual(["products", 0, "owner"]);
    expect(anonymous.data).toEqual({ products: [{ name: "Lamp", owner: null, price: 1000 }] });
    expect(await run(schema, "{ products { name owner price } }", { signedIn: true })).toEqual({
      data: { products: [{ name: "Lamp", owner: "ada", price: 1000 }] },
    });
  });

  it("leaves the fields whose rule is allow unwrapped, their own resolvers and graphql's default alike", () => {
    expect(product.getFields().price?.resolve).toBe(resolvers.Product.price);
    expect(product.getFields().name?.resolve).toBeUndefined();
    expect(product.getFields().owner?.resolve).toBeTypeOf("function");
    expect((schema.getQueryType() as GraphQLObjectType).getFields().products?.resolve).toBe(resolvers.Query.products);
  });

  it("passes an allowed field's resolver error through, as shield does with allowExternalErrors", async () => {
    const result = await run(schema, "{ broken }", { signedIn: true });
    expect(result.errors?.[0]).toMatchObject({ message: "a database error with details", path: ["broken"] });
  });

  it("keeps every field wrapped when resolver errors are replaced by the fallback error (shield's default)", async () => {
    const strict = buildSchema<Ctx>({ typeDefs, resolvers, permissions: permissions(false) });
    expect(codes(await run(strict, "{ broken }", { signedIn: true }))).toEqual([ErrorCode.FORBIDDEN]);
    expect((strict.getType("Product") as GraphQLObjectType).getFields().price?.resolve).not.toBe(
      resolvers.Product.price,
    );
    expect(await run(strict, "{ products { name price } }", { signedIn: false })).toEqual({
      data: { products: [{ name: "Lamp", price: 1000 }] },
    });
  });

  it("rejects rules for types or fields the schema does not have, as graphql-shield does", () => {
    const unknownField = shield({ Product: { colour: allow } }, { allowExternalErrors: true });
    expect(() => buildSchema({ typeDefs, resolvers, permissions: unknownField })).toThrow(/Product\.colour/);
  });
});
