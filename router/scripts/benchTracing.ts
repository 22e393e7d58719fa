// npm run bench:tracing -w @commerce/router
//
// The cost of tracing: the whole graph (accounts, catalog, router: one process each, as deployed)
// over a throw-away Postgres and Redis, driven over loopback with a bounded number of requests,
// once with OpenTelemetry off (OTEL_SDK_DISABLED=true) and once with the default sampling
// (parent-based ratio 1: every request traced) exporting over OTLP/HTTP to a local sink.
// Rounds alternate off/on so drift hits both. Prints req/s and latency percentiles.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { createDb, DEMO_USERS, SEED_PASSWORD, seed } from "@commerce/db";
import { freePort, stopPid } from "@commerce/stack";
import { startTestInfra } from "@commerce/testing";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const QUERY = `query BenchFavorites { me { favorites { name price { amount currency } category { name } } } }`;

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** A supergraph of just the two subgraphs this bench runs (so it does not depend on the others being up). */
async function composeBenchSupergraph(dir: string): Promise<string> {
  const services = await Promise.all(
    ["accounts", "catalog"].map(async (name) => ({
      name,
      url: `http://${name}/graphql`,
      typeDefs: parse(await readFile(repo(`subgraphs/${name}/schema.graphql`), "utf8")),
    })),
  );
  const result = composeServices(services);
  if (!result.supergraphSdl) throw new Error(`composition failed: ${result.errors?.map((e) => e.message).join("; ")}`);
  const path = join(dir, "supergraph.graphql");
  await writeFile(path, result.supergraphSdl);
  return path;
}

/** An OTLP/HTTP endpoint that accepts and discards trace exports (and counts them). */
async function startSink(): Promise<{ url: string; exports: () => number; close: () => void }> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      count += 1;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => count,
    close: () => server.close(),
  };
}

function start(dir: string, port: number, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--conditions=development", "--import", "tsx", repo(`${dir}/src/index.ts`)], {
    cwd: repo(dir),
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "test", LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return child;
}

async function waitReady(origin: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    try {
      if ((await fetch(`${origin}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${origin} did not become ready`);
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** Sends `count` requests, `CONCURRENCY` at a time; returns each latency in ms and the wall time. */
async function load(url: string, token: string, count: number): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next += 1;
      const t = performance.now();
      const body = await post(url, { query: QUERY }, { authorization: `Bearer ${token}` });
      latencies.push(performance.now() - t);
      if (body.errors) throw new Error(`benchmark query failed: ${JSON.stringify(body.errors)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function run(mode: "off" | "on", databaseUrl: string, redisUrl: string, sinkUrl: string, supergraphPath: string) {
  const tracingEnv: Record<string, string> =
    mode === "off" ? { OTEL_SDK_DISABLED: "true" } : { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl };
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, ...tracingEnv };
  const [accountsPort, catalogPort, routerPort] = [await freePort(), await freePort(), await freePort()];
  const children = [start("subgraphs/accounts", accountsPort, env), start("subgraphs/catalog", catalogPort, env)];
  try {
    await Promise.all([waitReady(`http://127.0.0.1:${accountsPort}`), waitReady(`http://127.0.0.1:${catalogPort}`)]);
    children.push(
      start("router", routerPort, {
        ...env,
        SUPERGRAPH_PATH: supergraphPath,
        // One client sends every request: lift its per-client cost budget, which would otherwise run out.
        COST_BUDGET: "1000000000",
        SUBGRAPH_ACCOUNTS_URL: `http://127.0.0.1:${accountsPort}/graphql`,
        SUBGRAPH_CATALOG_URL: `http://127.0.0.1:${catalogPort}/graphql`,
      }),
    );
    await waitReady(`http://127.0.0.1:${routerPort}`);
    const url = `http://127.0.0.1:${routerPort}/graphql`;
    const login = await post(url, {
      query: `mutation($e: String!, $p: String!) { logIn(input: { email: $e, password: $p }) { accessToken } }`,
      variables: { e: DEMO_USERS.customer, p: SEED_PASSWORD },
    });
    const token = (login.data as { logIn?: { accessToken?: string } } | undefined)?.logIn?.accessToken;
    if (!token) throw new Error(`log-in failed: ${JSON.stringify(login)}`);
    await load(url, token, WARMUP);
    const { latencies, seconds } = await load(url, token, REQUESTS);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      mode,
      rps: REQUESTS / seconds,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
    };
  } finally {
    for (const child of children.reverse())
      if (child.pid !== undefined && child.exitCode === null) await stopPid(child.pid, "SIGTERM", 10_000);
  }
}

const infra = await startTestInfra();
const sink = await startSink();
const dir = await mkdtemp(join(tmpdir(), "bench-tracing-"));
try {
  const supergraphPath = await composeBenchSupergraph(dir);
  const db = createDb(infra.databaseUrl, { poolSize: 2 });
  await seed(db, { passwordHashCost: 10 });
  await db.$disconnect();
  console.log(
    `bench: ${REQUESTS} requests (+${WARMUP} warm-up), concurrency ${CONCURRENCY}, ${ROUNDS} round(s) per mode, query: ${QUERY}`,
  );
  const results: Awaited<ReturnType<typeof run>>[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const mode of ["off", "on"] as const) {
      const result = await run(mode, infra.databaseUrl, infra.redisUrl, sink.url, supergraphPath);
      results.push(result);
      console.log(
        `  round ${round + 1} tracing ${mode.padEnd(3)}  ${result.rps.toFixed(0)} req/s  p50 ${result.p50.toFixed(2)} ms  p95 ${result.p95.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms`,
      );
    }
  }
  const mean = (mode: string, key: "rps" | "p50" | "p95" | "p99") => {
    const of = results.filter((r) => r.mode === mode);
    return of.reduce((sum, r) => sum + r[key], 0) / of.length;
  };
  console.log("\n| tracing | req/s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|");
  for (const mode of ["off", "on"]) {
    console.log(
      `| ${mode === "off" ? "off (OTEL_SDK_DISABLED)" : "on (default sampling, OTLP export)"} | ${mean(mode, "rps").toFixed(0)} | ${mean(mode, "p50").toFixed(2)} | ${mean(mode, "p95").toFixed(2)} | ${mean(mode, "p99").toFixed(2)} |`,
    );
  }
  const overhead = (1 - mean("on", "rps") / mean("off", "rps")) * 100;
  console.log(
    `\nthroughput cost of tracing: ${overhead.toFixed(1)}%; OTLP exports received by the sink: ${sink.exports()}`,
  );
} finally {
  sink.close();
  await infra.stop();
  await rm(dir, { recursive: true, force: true });
}
