import { GraphQLScalarType, Kind } from "graphql";
import { badUserInput } from "@commerce/common";

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw badUserInput("DateTime must be an ISO 8601 date-time string.");
  return date;
}

/** ISO 8601 strings on the wire, Dates in resolvers. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => toDate(value),
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badUserInput("DateTime must be an ISO 8601 date-time string.");
    return toDate(ast.value);
  },
});
