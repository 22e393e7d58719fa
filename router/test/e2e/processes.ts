import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** A port nothing listens on now (bound and released), so a subgraph can be restarted on it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A subgraph running as its own process, as in production: `node src/index.ts` of its package. */
export interface SubgraphProcess {
  name: string;
  /** Its GraphQL URL; the same across restarts. */
  url: string;
  /** Kills it at once (no graceful shutdown: a crash or an OOM kill). */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it serves. */
  restart(): Promise<void>;
  /** SIGSTOP: the process stops answering while the kernel still accepts connections (a hung service). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Stops it gracefully (SIGTERM) when it runs. */
  stop(): Promise<void>;
}

/**
 * Starts `subgraphs/<name>` from its sources (`node --conditions=development --import tsx src/index.ts`) with `env`,
 * on a fixed free port, and waits for its "subgraph ready" log line.
 */
export async function startSubgraphProcess(
  name: string,
  env: Record<string, string>,
  { readyTimeoutMs = 60_000 } = {},
): Promise<SubgraphProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const started = spawn(
      process.execPath,
      ["--conditions=development", "--import", "tsx", `subgraphs/${name}/src/index.ts`],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? "", ...env, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = started;
    // Never outlive the test run, however it ends.
    process.once("exit", () => started.kill("SIGKILL"));
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start within ${readyTimeoutMs} ms:\n${output.slice(-2000)}`)),
        readyTimeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/subgraph ready/.test(output)) {
          clearTimeout(timer);
          started.stdout?.off("data", onData);
          // Keep draining, so a full pipe never blocks the subgraph.
          started.stdout?.resume();
          resolve();
        }
      };
      started.stdout?.on("data", onData);
      started.stderr?.on("data", (chunk: Buffer) => void (output += chunk.toString()));
      started.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`${name} exited before it was ready (code ${code}, signal ${signal}):\n${output.slice(-2000)}`),
        );
      });
    });
  }

  async function signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill(signal);
    await exited;
  }

  await start();
  return {
    name,
    url: `http://127.0.0.1:${port}/graphql`,
    kill: () => signalAndWait("SIGKILL"),
    restart: async () => {
      await signalAndWait("SIGKILL");
      await start();
    },
    pause: () => void child?.kill("SIGSTOP"),
    resume: () => void child?.kill("SIGCONT"),
    stop: async () => {
      child?.kill("SIGCONT");
      await signalAndWait("SIGTERM");
    },
  };
}
