// The production smoke test (CI): runs `npm start`'s entry point from a built tree (the pruned production output
// of scripts/image.mjs, or this checkout) against a real Postgres and a real redis-server, and checks that
//   1. without DATABASE_URL it exits 1 naming the variable;
//   2. with SEED=true and two router workers it serves the federated favourites query (accounts + catalog);
//   3. SIGTERM stops everything with exit code 0.
// Usage: npm run smoke -w @commerce/start -- [built tree] (default: this checkout, after `npm run build`)
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, startEmbeddedPostgres, startRedisServer } from "@commerce/stack";
import { rootDir } from "../src/config.js";

const tree = resolve(process.argv[2] ?? rootDir);
const entry = join(tree, "packages", "start", "bin", "start.mjs");
const log = (line: string) => console.log(`[smoke] ${line}`);
const fail = (message: string): never => {
  throw new Error(message);
};

const secret = () => randomBytes(32).toString("hex");
const baseEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  JWT_SECRET: secret(),
  ROUTER_SECRET: secret(),
  ORDERS_SERVICE_SECRET: secret(),
  REVIEWS_SERVICE_SECRET: secret(),
  LOG_LEVEL: "warn",
};

const missing = spawnSync(process.execPath, [entry], {
  env: { ...baseEnv, REDIS_URL: "redis://127.0.0.1:6379" },
  encoding: "utf8",
  timeout: 30_000,
});
if (missing.status !== 1 || !missing.stderr.includes("DATABASE_URL is required")) {
  fail(
    `without DATABASE_URL: expected exit 1 naming DATABASE_URL, got ${missing.status}: ${missing.stderr}${missing.stdout}`,
  );
}
log("without DATABASE_URL: exit 1, names DATABASE_URL");

const dataDir = await mkdtemp(join(tmpdir(), "commerce-smoke-"));
const [postgres, redis] = await Promise.all([
  startEmbeddedPostgres({ dataDir: join(dataDir, "postgres"), ephemeral: true, fast: true }),
  startRedisServer({ dataDir: join(dataDir, "redis") }),
]);
const port = await freePort();
const started = Date.now();
const child = spawn(process.execPath, [entry, "--workers", "2"], {
  env: {
    ...baseEnv,
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    PORT: String(port),
    HOST: "127.0.0.1",
    SEED: "true",
    LOG_LEVEL: "info",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
let output = "";
child.stdout.on("data", (chunk: Buffer) => {
  output += chunk.toString();
});
const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;

async function graphql(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

try {
  const deadline = Date.now() + 120_000;
  while (!output.includes("Commerce Supergraph is running")) {
    if (child.exitCode !== null)
      fail(`npm start exited with ${child.exitCode} during start-up:\n${output.slice(-3000)}`);
    if (Date.now() > deadline) fail(`npm start was not running after 120 s:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  log(
    `running after ${((Date.now() - started) / 1000).toFixed(1)} s (migrations, seed, 5 subgraphs, 2 router workers)`,
  );

  const logIn = await graphql(
    "mutation ($email: String!, $password: String!) { logIn(input: { email: $email, password: $password }) { accessToken } }",
    {
      email: "demo@commerce.dev",
      password: "correct-horse-battery",
    },
  );
  const token =
    (logIn.data?.logIn as { accessToken?: string } | undefined)?.accessToken ??
    fail(`logIn failed: ${JSON.stringify(logIn)}`);
  const favourites = await graphql("{ me { favorites { name price { amount } } } }", {}, token);
  const list = (favourites.data?.me as { favorites?: { name: string; price: { amount: number } }[] } | undefined)
    ?.favorites;
  if (favourites.errors || !list?.length || !list.every((f) => f.name && Number.isInteger(f.price.amount)))
    fail(`favourites query: ${JSON.stringify(favourites)}`);
  log(
    `federated favourites query (accounts → catalog): ${list.length} products, e.g. ${list[0]?.name} at ${list[0]?.price.amount}`,
  );

  const introspection = await graphql("{ __schema { queryType { name } } }");
  if (!introspection.errors) fail("introspection answered: the services are not in production mode");
  log("production mode: introspection refused");

  child.kill("SIGTERM");
  const [code] = await Promise.race([
    exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("npm start did not stop within 60 s of SIGTERM")), 60_000),
    ),
  ]);
  if (code !== 0) fail(`npm start exited with ${code} after SIGTERM`);
  log("SIGTERM: drained and stopped, exit code 0");
} finally {
  if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all([postgres.stop(), redis.stop()]);
  await rm(dataDir, { recursive: true, force: true });
}
log("passed");
