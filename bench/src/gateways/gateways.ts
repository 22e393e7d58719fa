// The gateways a run compares, each started as one process on 127.0.0.1 over the same supergraph file.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startService, type Service } from "../harness/processes.js";
// The heap caps `npm start` gives each service (bench/ is its own npm package: a relative import of the source).
import { HEAP_MB_DEFAULTS, heapFlags } from "../../../packages/start/src/heap.js";

export { HEAP_MB_DEFAULTS, heapFlags };

export const BENCH_DIR = fileURLToPath(new URL("../..", import.meta.url));
export const REPO_DIR = join(BENCH_DIR, "..");
const require = createRequire(import.meta.url);

/** Secrets and settings the router runs with in the benchmark (production refuses to start without them). */
export const ROUTER_SETTINGS = {
  jwtSecret: "bench-jwt-secret-0123456789abcdef0123456789",
  jwtIssuer: "commerce-supergraph",
  jwtAudience: "commerce-api",
  routerSecret: "bench-router-secret-0123456789abcdef012345",
  /** Demand control stays on (enforced); the maximum is set above the workload's estimate (printed by the run). */
  costMax: 10_000_000,
} as const;

export type GatewayKind = "router" | "vanilla" | "hive" | "hive-rust";
export const GATEWAY_KINDS: readonly GatewayKind[] = ["router", "vanilla", "hive", "hive-rust"];

export interface GatewayTarget {
  /** Key in tables and options (`router`, `vanilla`, `router@37b3081`). */
  name: string;
  url: string;
  pid: number;
  service: Service;
}

export interface GatewayStart {
  supergraphPath: string;
  port: number;
  logPath: string;
  /** OTLP/HTTP traces endpoint for the router (tracing recorded and exported); unset: propagation only. */
  tracesEndpoint?: string | undefined;
  /** Extra env for the router (`--router-env`). */
  routerEnv?: Record<string, string>;
  /** The router's old-generation cap in MB (`--router-heap-mb`); 0 or unset: none. */
  heapMb?: number;
  /** Runs the router with `--trace-gc` (its full collections in its log). */
  traceGc?: boolean;
}

/** Whether a peer is installed in bench/node_modules (Hive Gateway is optional). */
export function gatewayAvailable(kind: GatewayKind): boolean {
  try {
    if (kind === "hive") require.resolve("@graphql-hive/gateway/package.json");
    if (kind === "hive-rust") {
      require.resolve("@graphql-hive/gateway/package.json");
      require.resolve("@graphql-hive/router-runtime/package.json");
    }
    return true;
  } catch {
    return false;
  }
}

/** Answers a trivial operation with 200: the gateway has its schema and serves. */
export function graphqlReady(url: string): () => Promise<boolean> {
  return async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"query":"{ __typename }"}',
    });
    return response.status === 200;
  };
}

/** Env of our router in production mode with its protections on (see the README of bench/). */
export function routerEnv({
  supergraphPath,
  port,
  tracesEndpoint,
  routerEnv: extra,
}: GatewayStart): Record<string, string> {
  return {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    SUPERGRAPH_PATH: supergraphPath,
    JWT_SECRET: ROUTER_SETTINGS.jwtSecret,
    JWT_ISSUER: ROUTER_SETTINGS.jwtIssuer,
    JWT_AUDIENCE: ROUTER_SETTINGS.jwtAudience,
    ROUTER_SECRET: ROUTER_SETTINGS.routerSecret,
    COST_MAX: String(ROUTER_SETTINGS.costMax),
    ...(tracesEndpoint ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesEndpoint } : {}),
    ...extra,
  };
}

/** Starts our router from a built checkout (`<repoDir>/router/dist/index.js`). */
export async function startRouter(name: string, repoDir: string, start: GatewayStart): Promise<GatewayTarget> {
  const entry = join(repoDir, "router/dist/index.js");
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` in ${repoDir} first`);
  const url = `http://127.0.0.1:${start.port}/graphql`;
  // Only what the router reads: the run's own environment (a developer's REDIS_URL, LOG_LEVEL, …) stays out.
  const service = await startService({
    name,
    command: process.execPath,
    args: [...(start.heapMb ? heapFlags(start.heapMb) : []), ...(start.traceGc ? ["--trace-gc"] : []), entry],
    cwd: repoDir,
    env: { ...cleanEnv(), ...routerEnv(start) },
    logPath: start.logPath,
    ready: graphqlReady(url),
  });
  return { name, url, pid: service.pid, service };
}

export async function startPeer(kind: Exclude<GatewayKind, "router">, start: GatewayStart): Promise<GatewayTarget> {
  const url = `http://127.0.0.1:${start.port}/graphql`;
  const env = {
    ...cleanEnv(),
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(start.port),
    SUPERGRAPH_PATH: start.supergraphPath,
  };
  let args: string[];
  if (kind === "vanilla") {
    args = ["--import", "tsx", join(BENCH_DIR, "src/gateways/vanilla.ts")];
  } else {
    const bin = join(BENCH_DIR, "node_modules/@graphql-hive/gateway/dist/bin.js");
    args = [
      bin,
      "supergraph",
      start.supergraphPath,
      "--fork",
      "1",
      "--host",
      "127.0.0.1",
      "--port",
      String(start.port),
    ];
    args.push("--config-path", join(BENCH_DIR, "src/gateways/hive.config.ts"));
    // The Rust planner plans and executes itself; with --jit, 2.15.1 answers null without calling any subgraph.
    args.push(kind === "hive-rust" ? "--hive-router-runtime" : "--jit");
  }
  const service = await startService({
    name: kind,
    command: process.execPath,
    args,
    cwd: BENCH_DIR,
    env,
    logPath: start.logPath,
    ready: graphqlReady(url),
  });
  return { name: kind, url, pid: service.pid, service };
}

/** The parent's environment without the variables any of the gateways or subgraphs read. */
export function cleanEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "TERM"];
  const env: Record<string, string> = {};
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key] as string;
  return env;
}
