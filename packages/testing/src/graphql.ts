import type { GraphQLFormattedError } from "graphql";

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: GraphQLFormattedError[];
}

/** POSTs a GraphQL operation over HTTP (as a client would). */
export async function postGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "apollo-require-preflight": "true", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T | null; errors?: GraphQLFormattedError[] };
  return { status: response.status, headers: response.headers, ...body };
}

/** The `extensions.code` of each error, for assertions that never depend on message text. */
export function errorCodes(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  return (errors ?? []).map((e) => String(e.extensions?.code ?? "NO_CODE"));
}

/** Narrows a possibly-null value in a test, failing with a readable message. */
export function defined<T>(value: T | null | undefined, what = "value"): T {
  if (value === null || value === undefined) throw new Error(`expected ${what} to be defined`);
  return value;
}
