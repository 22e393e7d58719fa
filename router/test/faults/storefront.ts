import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { DEMO_USERS, SEED_PASSWORD } from "@commerce/db";

/** A client operation from operations/, the frontends' contract. */
function operation(path: string): string {
  return readFileSync(new URL(`../../../operations/${path}`, import.meta.url), "utf8");
}

const OPERATIONS = {
  browse: operation("catalog/ProductList.graphql"),
  productDetail: operation("catalog/ProductDetail.graphql"),
  productReviews: operation("reviews/ProductReviews.graphql"),
  // Not operations/accounts/LogIn.graphql: it selects the user's email, which an anonymous caller may not read.
  logIn: `mutation LogIn($email: String!, $password: String!) { logIn(input: { email: $email, password: $password }) { accessToken user { id displayName } } }`,
  placeOrder: operation("orders/PlaceOrder.graphql"),
  orderHistory: operation("orders/MyOrders.graphql"),
  updateOrderStatus: operation("orders/UpdateOrderStatus.graphql"),
};
export type Step = keyof typeof OPERATIONS;

export interface Outcome {
  step: Step;
  status: number;
  ms: number;
  /** `extensions.code` of each error, or the network failure. */
  errors: string[];
  data?: Record<string, unknown> | null;
  startedAt: number;
}

/** Sends one storefront operation to the router and never throws: a network failure is an outcome too. */
export async function send(
  url: string,
  step: Step,
  variables: Record<string, unknown> = {},
  token?: string,
  timeoutMs = 30_000,
): Promise<Outcome> {
  const startedAt = Date.now();
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "apollo-require-preflight": "true",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: OPERATIONS[step], variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { extensions?: { code?: unknown } }[];
    };
    const errors = (body.errors ?? []).map((e) => String(e.extensions?.code ?? "NO_CODE"));
    return { step, status: response.status, ms: performance.now() - started, errors, data: body.data, startedAt };
  } catch (error) {
    const reason =
      (error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.name : "FAILED");
    return { step, status: 0, ms: performance.now() - started, errors: [reason], startedAt };
  }
}

/** True when the router answered 200 with data and no error. */
export const succeeded = (outcome: Outcome): boolean =>
  outcome.status === 200 && outcome.errors.length === 0 && outcome.data != null;

type ProductCard = { id: string; available: boolean };

/** The storefront's session: log in as the demo customer; its token for the steps that need one. */
export async function logIn(
  url: string,
  email: string = DEMO_USERS.customer,
): Promise<{ outcome: Outcome; token?: string; userId?: string }> {
  const outcome = await send(url, "logIn", { email, password: SEED_PASSWORD });
  const session = outcome.data?.logIn as { accessToken: string; user: { id: string } } | undefined;
  return { outcome, token: session?.accessToken, userId: session?.user.id };
}

/**
 * One shopper's visit: browse a page, open a product with its reviews, log in, place an order of one or two
 * available products, look at the order history. Reports every request's outcome as it completes.
 */
export async function visit(
  url: string,
  report: (outcome: Outcome) => void,
  { email = DEMO_USERS.customer }: { email?: string } = {},
): Promise<void> {
  const page = await send(url, "browse", { first: 20, after: null });
  report(page);
  const products = ((page.data?.products as { edges: { node: ProductCard }[] } | undefined)?.edges ?? [])
    .map((e) => e.node)
    .filter((p) => p.available);
  const product = products[Math.floor(Math.random() * products.length)];
  if (!product) return;
  report(await send(url, "productDetail", { id: product.id }));
  report(await send(url, "productReviews", { id: product.id, first: 5 }));
  const session = await logIn(url, email);
  report(session.outcome);
  if (!session.token) return;
  const items = [product, products[(products.indexOf(product) + 1) % products.length]]
    .filter((p, i, all): p is ProductCard => p !== undefined && all.findIndex((q) => q?.id === p.id) === i)
    .map((p) => ({ productId: p.id, quantity: 1 + Math.floor(Math.random() * 3) }));
  report(await send(url, "placeOrder", { input: { items, idempotencyKey: randomUUID() } }, session.token));
  report(await send(url, "orderHistory", { first: 10 }, session.token));
}

export interface MixResult {
  /** Every outcome, without its data. */
  outcomes: Outcome[];
  /** The outcomes that were not a success, with their data. */
  failures: Outcome[];
  visits: number;
}

/** Runs `shoppers` concurrent visit loops until `signal` aborts (each finishes the visit in progress). */
export async function runMix(
  url: string,
  { shoppers, signal }: { shoppers: number; signal: AbortSignal },
): Promise<MixResult> {
  const outcomes: Outcome[] = [];
  const failures: Outcome[] = [];
  let visits = 0;
  const record = (outcome: Outcome) => {
    if (!succeeded(outcome)) failures.push(outcome);
    // Kept without their data: a long soak records hundreds of thousands.
    outcomes.push({ ...outcome, data: undefined });
  };
  await Promise.all(
    Array.from({ length: shoppers }, async () => {
      while (!signal.aborted) {
        await visit(url, record);
        visits += 1;
      }
    }),
  );
  return { outcomes, failures, visits };
}

/** Percentile (0–100) of the given latencies, in ms. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** A readable list of failures (step, status, codes), at most `limit` lines. */
export function describeFailures(failures: readonly Outcome[], limit = 10): string {
  return failures
    .slice(0, limit)
    .map((f) => `${f.step}: HTTP ${f.status} ${f.errors.join(",")} after ${Math.round(f.ms)} ms`)
    .join("\n");
}
