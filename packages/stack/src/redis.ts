import { spawn, spawnSync, type ChildProcess } from "node:child_process";
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
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", options.dataDir, "--pidfile", pidFile, "--save", ""];
  args.push("--appendonly", options.persistent ? "yes" : "no", "--daemonize", "no", "--protected-mode", "yes");
  const child: ChildProcess = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`redis-server exited with code ${code} during start-up:\n${output.slice(-2000)}`)));
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
  const install = update.status === 0 && spawnSync(aptGet, ["install", "-y", "-qq", "redis-server"], { stdio: ["ignore", "ignore", "inherit"], env });
  if (!install || install.status !== 0) {
    log("apt-get could not install redis-server; continuing without it");
    return undefined;
  }
  return findRedisServer();
}
