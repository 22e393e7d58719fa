import { spawn, type ChildProcess } from "node:child_process";
import cluster from "node:cluster";
import { once } from "node:events";
import { serveWorkerMetrics } from "@commerce/telemetry/workers";

export interface Service {
  name: string;
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  origin: string;
}

export interface StartServiceOptions {
  name: string;
  /** The script Node runs. */
  entry: string;
  /** Node flags before the script (e.g. `--import tsx`). @default [] */
  execArgv?: readonly string[];
  cwd?: string;
  port: number;
  /** The service's whole environment (`PORT` is set from `port`). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * `inherit` passes output through untouched (JSON logs stay parseable); `prefix` puts `[name] ` before each line;
   * a function receives each line instead (tests keep the last lines for a failure's message).
   */
  output: "inherit" | "prefix" | ((line: string) => void);
  /** Hears about every exit, expected or not. */
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** Starts one service as a child Node process. */
export function startService(options: StartServiceOptions): Service {
  const { name, port, output } = options;
  const child = spawn(process.execPath, [...(options.execArgv ?? []), options.entry], {
    cwd: options.cwd,
    env: { ...options.env, PORT: String(port) },
    stdio: output === "inherit" ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
  });
  if (output !== "inherit") {
    const write = (stream: NodeJS.WritableStream) => (line: string) => void stream.write(`[${name}] ${line}\n`);
    const forward = (each: (line: string) => void) => (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim()) each(line);
    };
    child.stdout?.on("data", forward(output === "prefix" ? write(process.stdout) : output));
    child.stderr?.on("data", forward(output === "prefix" ? write(process.stderr) : output));
  }
  child.once("exit", options.onExit);
  return { name, child, origin: `http://127.0.0.1:${port}` };
}

export interface RouterWorkersOptions {
  entry: string;
  workers: number;
  /** Node flags of every worker (e.g. its heap cap), after this process's own. @default [] */
  execArgv?: readonly string[];
  /** Every worker's whole environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** Hears about every worker's exit, expected or not. */
  onExit: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * Forks `workers` router processes with node:cluster: they share one listening port and this process hands
 * them connections in turn, so a router that uses one core per process can use every core of the machine.
 * Each worker's `/metrics` answers for all of them (merged here, see `serveWorkerMetrics`). Resolves once every
 * worker listens.
 */
export async function startRouterWorkers(options: RouterWorkersOptions): Promise<Service[]> {
  // A scrape of /metrics reaches one worker: it asks this process, which merges every worker's metrics.
  serveWorkerMetrics();
  // The primary's own flags first (e.g. `--import tsx` in development and tests), then the workers' (the last wins).
  cluster.setupPrimary({ exec: options.entry, args: [], execArgv: [...process.execArgv, ...(options.execArgv ?? [])] });
  const services: Service[] = [];
  const listening: Promise<unknown>[] = [];
  for (let i = 1; i <= options.workers; i += 1) {
    const name = `router#${i}`;
    const worker = cluster.fork(options.env);
    worker.process.once("exit", (code, signal) => options.onExit(name, code, signal));
    listening.push(
      Promise.race([
        once(worker, "listening"),
        once(worker.process, "exit").then(([code]) =>
          Promise.reject(new Error(`${name} exited with code ${String(code)} during start-up`)),
        ),
      ]),
    );
    services.push({ name, child: worker.process, origin: "" });
  }
  await Promise.all(listening);
  return services;
}

/** Polls `origin + path` until it answers 200; fails when the process exits first or the time is up. */
export async function waitReady(
  service: Service,
  { path = "/ready", timeoutMs = 60_000, origin = service.origin } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`${service.name} exited (${service.child.exitCode ?? service.child.signalCode}) during start-up`);
    }
    try {
      const response = await fetch(`${origin}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `${response.status} ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${service.name} was not ready on ${origin}${path} within ${timeoutMs / 1000}s (last answer: ${last})`,
  );
}

/**
 * SIGTERM (the service drains its requests and closes its connections), then SIGKILL if it is still running
 * after `timeoutMs`.
 */
export async function stopService(service: Service, timeoutMs = 20_000): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  if ((await Promise.race([exited, timedOut])) === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
  clearTimeout(timer);
}
