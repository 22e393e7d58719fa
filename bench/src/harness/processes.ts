// Child processes of a benchmark run: each one registered so that every exit path (normal end, error, Ctrl-C,
// SIGTERM, the run's deadline) stops them, plus CPU and memory readings from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface Service {
  name: string;
  pid: number;
  /** Where the process's stdout and stderr go. */
  logPath: string;
  /** The last lines the process wrote, for error messages. */
  output: () => string;
  stop: () => Promise<void>;
}

const running = new Set<ChildProcess>();
const graceOf = new WeakMap<ChildProcess, number>();
const cleanups: (() => Promise<void>)[] = [];

/** Runs `stop` when the run stops (after the services, latest registered first): what is not a child process, such as the storefront's Postgres. */
export function onCleanup(stop: () => Promise<void>): void {
  cleanups.push(stop);
}

/** SIGTERM every child still running, SIGKILL after `graceMs`, then the cleanups. */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child, Math.max(graceMs, graceOf.get(child) ?? 0))));
  for (const stop of cleanups.splice(0).reverse())
    await stop().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(kill);
      running.delete(child);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

let hooked = false;
/** Stops every child on exit, on SIGINT/SIGTERM and on an uncaught error; kills the run past `deadlineMs`. */
export function installCleanup(deadlineMs: number): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the benchmark's processes`);
      void stopAll(1000).finally(() => process.exit(130));
    });
  }
  const deadline = setTimeout(() => {
    console.error(`\nthe run passed its deadline (${Math.round(deadlineMs / 1000)} s): stopping`);
    void stopAll(1000).finally(() => process.exit(1));
  }, deadlineMs);
  deadline.unref();
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  /** The whole environment of the process. @default this process's */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** File that receives the process's stdout and stderr (a file, not a pipe: reading a busy gateway's
   * per-request log lines would cost the load driver CPU). */
  logPath: string;
  /** Resolves once the service answers; the start fails when it has not after `timeoutMs`. */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL (a process that stops children of its own needs longer). @default 3000 */
  stopGraceMs?: number;
}

/** Spawns a service and waits until `ready()` says it serves. */
export async function startService({
  name,
  command,
  args,
  env,
  cwd,
  logPath,
  ready,
  timeoutMs = 60_000,
  stopGraceMs = 3000,
}: StartOptions): Promise<Service> {
  const log = openSync(logPath, "a");
  const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ["ignore", log, log] });
  closeSync(log);
  running.add(child);
  const output = () => tail(logPath, 40);
  let exited = false;
  child.once("exit", () => {
    exited = true;
    running.delete(child);
  });
  const started = Date.now();
  // Exited is checked after a ready answer too: on a shared machine another process may hold the port and answer.
  while (!(await ready().catch(() => false)) || exited) {
    if (exited) throw new Error(`${name} exited before it was ready:\n${output()}`);
    if (Date.now() - started > timeoutMs) {
      await stopChild(child, 1000);
      throw new Error(`${name} was not ready after ${timeoutMs / 1000} s:\n${output()}`);
    }
    await sleep(200);
  }
  if (child.pid === undefined) throw new Error(`${name} has no pid`);
  graceOf.set(child, stopGraceMs);
  return { name, pid: child.pid, logPath, output, stop: () => stopChild(child, stopGraceMs) };
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on 127.0.0.1:`port`. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** The child processes of `pid`, with their command lines. */
export function childProcesses(pid: number): { pid: number; command: string }[] {
  const children: { pid: number; command: string }[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean)) {
      try {
        children.push({
          pid: Number(child),
          command: readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0").join(" ").trim(),
        });
      } catch {
        // exited meanwhile
      }
    }
  }
  return children;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; the fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Current and peak resident set size of the process, in bytes. */
export function memory(pid: number): { rss: number; peakRss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), peakRss: kb("VmHWM") };
}
