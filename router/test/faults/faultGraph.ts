import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createDb, migrate, seed, type Db } from "@commerce/db";
import {
  freePort,
  startEmbeddedPostgres,
  startRedisServer,
  type PostgresHandle,
  type RedisHandle,
} from "@commerce/stack";
import { readEnv } from "@commerce/common";
import {
  generatedServiceKeys,
  heapFlags,
  heapSizes,
  serviceIdentityEnv,
  startService,
  stopService,
  subgraphUrlVariable,
  waitReady,
  type Service,
} from "@commerce/start";
// The benchmark package's --trace-gc reader (bench/ is its own npm package; that file has only Node imports).
import { isGcTrace, parseFullGc, type FullGc } from "../../../bench/src/harness/gc.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * The graph's processes: every subgraph and the router, each its src/index.ts under tsx, as `npm run dev` runs them,
 * but with the heap caps of `npm start` (and of docker-compose.yml and deploy/kubernetes): `NODE_HEAP_MB`,
 * `<NAME>_HEAP_MB` or the defaults.
 */
export interface GraphProcesses {
  /** The router's GraphQL URL. */
  url: string;
  /** The running process of a service (a subgraph's name, or "router"). */
  service(name: string): Service;
  /** Starts a service that exited again, on the same port with the same env; resolves once it is ready. */
  restart(name: string): Promise<Service>;
  /** SIGTERM (its graceful shutdown); resolves when it has exited. */
  stopService(name: string): Promise<void>;
  /** The router first, then the subgraphs. */
  stop(): Promise<void>;
}

async function startGraphProcesses({
  env,
  serviceEnv,
  output,
  onExit,
  traceGc,
}: {
  env: Record<string, string>;
  serviceEnv: Record<string, Record<string, string>>;
  output: (name: string, line: string) => void;
  onExit: (name: string, code: number | null, stopping: boolean) => void;
  traceGc: boolean;
}): Promise<GraphProcesses> {
  const manifest = JSON.parse(readFileSync(join(root, "schema", "subgraphs.json"), "utf8")) as {
    subgraphs: { name: string }[];
  };
  const names = manifest.subgraphs.map((s) => s.name);
  const ports = new Map<string, number>();
  for (const name of [...names, "router"]) ports.set(name, await freePort());
  const urls = Object.fromEntries(
    names.map((name) => [subgraphUrlVariable(name), `http://127.0.0.1:${ports.get(name)}/graphql`]),
  );
  // orders and reviews read the catalog under their own identities, as deployed.
  const identities = serviceIdentityEnv(generatedServiceKeys());
  const read = readEnv("fault graph", process.env);
  const heapMb = heapSizes(read, [...names, "router"]);
  read.done();
  const running = new Map<string, Service>();
  const stopping = new Set<string>();
  function spawn(name: string): Service {
    const dir = name === "router" ? join(root, "router") : join(root, "subgraphs", name);
    stopping.delete(name);
    const service = startService({
      name,
      entry: join(dir, "src", "index.ts"),
      execArgv: [
        "--conditions=development",
        "--import",
        "tsx",
        ...heapFlags(heapMb[name] as number),
        ...(traceGc ? ["--trace-gc"] : []),
      ],
      cwd: dir,
      port: ports.get(name) as number,
      env: { ...process.env, ...env, ...urls, HOST: "127.0.0.1", ...identities[name], ...serviceEnv[name] },
      output: (line) => output(name, line),
      onExit: (code) => onExit(name, code, stopping.has(name)),
    });
    // Never outlive the test run, however it ends.
    process.once("exit", () => service.child.kill("SIGKILL"));
    running.set(name, service);
    return service;
  }
  const service = (name: string) => {
    const found = running.get(name);
    if (!found) throw new Error(`no service named ${name}`);
    return found;
  };
  const stopOne = async (name: string) => {
    stopping.add(name);
    await stopService(service(name));
  };
  const stop = async () => {
    if (running.has("router")) await stopOne("router");
    await Promise.all(names.filter((name) => running.has(name)).map(stopOne));
  };
  try {
    await Promise.all(names.map((name) => waitReady(spawn(name), { path: "/health" })));
    await waitReady(spawn("router"), { path: "/health" });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${ports.get("router")}/graphql`,
    service,
    async restart(name) {
      const restarted = spawn(name);
      await waitReady(restarted, { path: "/health" });
      return restarted;
    },
    stopService: stopOne,
    stop,
  };
}

export interface FaultGraph {
  /** The router's GraphQL URL. */
  url: string;
  processes: GraphProcesses;
  /** A client of the private database (its own small pool), for setting up and checking. */
  db: Db;
  /** The private redis-server: pause it (SIGSTOP), kill it, restart it. */
  redis(): RedisHandle;
  /** Starts the private Redis again on its port and folder (its append-only file brings the data back). */
  restartRedis(): Promise<void>;
  /** Stops Postgres (fast shutdown: open connections are cut) and starts it again on the same port and data. */
  restartPostgres(between?: () => Promise<void>): Promise<void>;
  /** A fresh connection to the private Redis (closed by stop()). */
  redisClient(): Redis;
  /** Each service's last output lines, for a failure's message. */
  logs(): string;
  /** Fails the test when a service exited that nobody asked to stop. */
  unexpectedExits(): string[];
  stop(): Promise<void>;
}

/**
 * The whole graph as separate processes (each subgraph and the router, production mode) over a private, seeded
 * Postgres and a private, persistent Redis. Fault tests pause, kill and restart these, so they are never the
 * run's shared services (@commerce/testing's).
 */
export async function startFaultGraph({
  serviceEnv = {},
  onFullGc,
}: {
  serviceEnv?: Record<string, Record<string, string>>;
  /** Runs every service with `--trace-gc` and hears about each full collection (the soak's post-GC heap). */
  onFullGc?: (name: string, gc: FullGc) => void;
} = {}): Promise<FaultGraph> {
  const dir = await mkdtemp(join(tmpdir(), "commerce-fault-"));
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    if (lines.length > 400) lines.shift();
  };
  const postgresOptions = {
    dataDir: join(dir, "postgres"),
    port: await freePort(),
    fast: true,
    database: "commerce",
    onLog: (line: string) => log(`[postgres] ${line}`),
  };
  let postgres: PostgresHandle = await startEmbeddedPostgres(postgresOptions);
  const redisOptions = { dataDir: join(dir, "redis"), persistent: true };
  let redis = await startRedisServer(redisOptions);
  await migrate(postgres.url);
  const db = createDb(postgres.url, { poolSize: 4 });
  await seed(db, { passwordHashCost: 10 });

  const exits: string[] = [];
  const clients: Redis[] = [];
  let processes: GraphProcesses;
  try {
    processes = await startGraphProcesses({
      env: {
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        DATABASE_URL: postgres.url,
        REDIS_URL: redis.url,
        JWT_SECRET: randomBytes(32).toString("hex"),
        ROUTER_SECRET: randomBytes(32).toString("hex"),
        PASSWORD_HASH_COST: "10",
      },
      // Cost budgets stay on (their Redis calls are part of what fails), but large enough that the traffic of these
      // tests, which fails fast and so loops fast while a dependency is down, never spends one.
      serviceEnv: { ...serviceEnv, router: { COST_BUDGET: "100000000", ...serviceEnv.router } },
      output: (name, line) => {
        if (onFullGc && isGcTrace(line)) {
          const gc = parseFullGc(line);
          if (gc) onFullGc(name, gc);
        } else log(`[${name}] ${line}`);
      },
      traceGc: onFullGc !== undefined,
      onExit: (name, code, stopping) => {
        if (!stopping) exits.push(`${name} exited with code ${code}`);
      },
    });
  } catch (error) {
    await Promise.allSettled([postgres.stop(), redis.stop(), db.$disconnect()]);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${lines.slice(-60).join("\n")}`);
  }

  return {
    url: processes.url,
    processes,
    db,
    redis: () => redis,
    async restartRedis() {
      redis = await startRedisServer({ ...redisOptions, port: redis.port });
    },
    async restartPostgres(between) {
      await postgres.stop();
      await between?.();
      postgres = await startEmbeddedPostgres(postgresOptions);
    },
    redisClient() {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      client.on("error", () => undefined);
      clients.push(client);
      return client;
    },
    logs: () => lines.slice(-80).join("\n"),
    unexpectedExits: () => [...exits],
    async stop() {
      for (const client of clients) client.disconnect();
      await processes.stop();
      await db.$disconnect();
      // A test may leave Redis paused when it fails: let it go so it can stop.
      try {
        process.kill(redis.pid, "SIGCONT");
      } catch {
        // already gone
      }
      await Promise.allSettled([postgres.stop(), redis.stop()]);
      await sleep(50);
      // The cluster may live outside `dir` (a folder the postgres user can reach: reachableDataDir).
      await Promise.all([
        rm(dir, { recursive: true, force: true }),
        rm(postgres.dataDir, { recursive: true, force: true }),
      ]);
    },
  };
}
