import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { commandLine, findExecutable, stopPid } from "./processes.js";

export interface RedisServerOptions {
  /** Folder for the pid file and, when `persistent`, the append-only file. */
  dataDir: string;
  /** @default a free port */
  port?: number;
  /** Keep data across restarts (AOF). Tests leave it off. @default false */
  persistent?: boolean;
  /** Run as a Redis Cluster node whose cluster bus listens on this port (see {@link startRedisCluster}). @default not a cluster node */
  clusterBusPort?: number;
}

export interface RedisHandle {
  url: string;
  port: number;
  /** The redis-server process (fault tests pause it with SIGSTOP or kill it). */
  pid: number;
  stop(): Promise<void>;
}

export const REDIS_INSTALL_HINT =
  "redis-server was not found on PATH. Install it (Debian/Ubuntu: `apt-get install -y redis-server`; macOS: `brew install redis`) or set REDIS_URL to a running Redis.";

export function findRedisServer(): string | undefined {
  return findExecutable("redis-server");
}

/** Starts a private redis-server on loopback. Throws when none is installed. */
export async function startRedisServer(options: RedisServerOptions): Promise<RedisHandle> {
  const binary = findRedisServer();
  if (!binary) throw new Error(REDIS_INSTALL_HINT);
  await mkdir(options.dataDir, { recursive: true });
  const pidFile = join(options.dataDir, "redis.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && commandLine(pid).includes("redis-server")) await stopPid(pid, "SIGTERM");
  }
  const port = options.port ?? (await freePort());
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    options.dataDir,
    "--pidfile",
    pidFile,
    "--save",
    "",
  ];
  args.push("--appendonly", options.persistent ? "yes" : "no", "--daemonize", "no", "--protected-mode", "yes");
  if (options.clusterBusPort !== undefined) {
    // An explicit bus port: the default (port + 10000) can fall outside the port range or on a port already taken.
    args.push(
      "--cluster-enabled",
      "yes",
      "--cluster-port",
      String(options.clusterBusPort),
      "--cluster-config-file",
      join(options.dataDir, "nodes.conf"),
    );
    args.push("--cluster-node-timeout", "2000");
  }
  const child: ChildProcess = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`redis-server exited with code ${code} during start-up:\n${output.slice(-2000)}`)),
    );
  });
  child.stdout?.removeAllListeners("data");
  child.stderr?.removeAllListeners("data");
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      await stopPid(child.pid, "SIGTERM");
    },
  };
}

/**
 * When redis-server is missing and this process can install Debian packages (root, apt-get on PATH), installs it
 * with apt-get, saying so in one line, and returns its path; otherwise returns undefined and changes nothing.
 */
export function installRedisServerWithApt(log: (line: string) => void = console.log): string | undefined {
  const found = findRedisServer();
  if (found) return found;
  const aptGet = findExecutable("apt-get");
  if (process.getuid?.() !== 0 || !aptGet) return undefined;
  log("redis-server is not installed: installing Debian's redis-server package with apt-get (root, one time)…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync(aptGet, ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
  const install =
    update.status === 0 &&
    spawnSync(aptGet, ["install", "-y", "-qq", "redis-server"], { stdio: ["ignore", "ignore", "inherit"], env });
  if (!install || install.status !== 0) {
    log("apt-get could not install redis-server; continuing without it");
    return undefined;
  }
  return findRedisServer();
}

export interface RedisClusterOptions {
  /** Folder for the nodes' data (one sub-folder each). */
  dataDir: string;
  /** Master nodes, each owning a share of the 16384 hash slots; no replicas. @default 3 */
  masters?: number;
  /** How long the nodes may take to start and agree on the slots before this fails. @default 30000 */
  timeoutMs?: number;
}

export interface RedisClusterHandle {
  /** A seed node's URL: a cluster client discovers the other nodes from it. */
  url: string;
  /** The master nodes (fault tests pause one with SIGSTOP). */
  nodes: readonly RedisHandle[];
  stop(): Promise<void>;
}

/**
 * Starts a private Redis Cluster on loopback (Redis 7.0 or later): `masters` redis-servers in cluster mode, joined and given the hash slots
 * by `redis-cli --cluster create`, then waits until every node reports `cluster_state:ok`. Throws (and stops what it
 * started) when redis-server or redis-cli is missing or the cluster is not ready within `timeoutMs`.
 */
export async function startRedisCluster({
  dataDir,
  masters = 3,
  timeoutMs = 30_000,
}: RedisClusterOptions): Promise<RedisClusterHandle> {
  const cli = findExecutable("redis-cli");
  if (!cli) throw new Error(REDIS_INSTALL_HINT.replace("redis-server was not found", "redis-cli was not found"));
  const deadline = Date.now() + timeoutMs;
  const nodes: RedisHandle[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < masters; i += 1) {
      // One at a time: two free-port lookups running together could be handed the same port.
      const [port, clusterBusPort] = [await freePort(), await freePort()];
      nodes.push(await startRedisServer({ dataDir: join(dataDir, `node-${i}`), port, clusterBusPort }));
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await runCli(
      cli,
      ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"],
      deadline - Date.now(),
    );
    for (const node of nodes) {
      while (
        !(await runCli(cli, ["-p", String(node.port), "cluster", "info"], deadline - Date.now())).includes(
          "cluster_state:ok",
        )
      ) {
        if (Date.now() > deadline) throw new Error(`the Redis Cluster was not ready within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: (nodes[0] as RedisHandle).url, nodes, stop };
}

/** Runs redis-cli and resolves with its output; rejects on a non-zero exit or after `timeoutMs`. */
function runCli(cli: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cli, args, { timeout: Math.max(1, timeoutMs), encoding: "utf8" }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`redis-cli ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`.slice(0, 4000)));
      else resolve(stdout);
    });
  });
}
