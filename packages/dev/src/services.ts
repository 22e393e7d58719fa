import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stopPid } from "@commerce/stack";

export interface Service {
  name: string;
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  origin: string;
}

const exitWithParent = fileURLToPath(new URL("./exitWithParent.ts", import.meta.url));

/**
 * Runs a package's src/index.ts under tsx with the given env, prefixing its
 * output with its name. `onExit` hears about every exit, expected or not.
 */
export function startService(
  name: string,
  packageDir: string,
  port: number,
  env: Record<string, string | undefined>,
  onExit: (code: number | null) => void,
): Service {
  const args = ["--conditions=development", "--import", "tsx", "--import", exitWithParent, join(packageDir, "src", "index.ts")];
  const child = spawn(process.execPath, args, {
    cwd: packageDir,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = `[${name}] `;
  const forward = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim()) stream.write(prefix + line + "\n");
  };
  child.stdout?.on("data", forward(process.stdout));
  child.stderr?.on("data", forward(process.stderr));
  child.once("exit", onExit);
  return { name, child, origin: `http://127.0.0.1:${port}` };
}

/** Polls `/health` until it answers 200, the process dies, or the timeout passes. */
export async function waitHealthy(service: Service, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited with code ${service.child.exitCode} during start-up`);
    try {
      const response = await fetch(`${service.origin}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${service.name} did not become healthy within ${timeoutMs / 1000}s`);
}

export async function stopService(service: Service): Promise<void> {
  if (service.child.exitCode !== null || service.child.pid === undefined) return;
  await stopPid(service.child.pid, "SIGTERM", 10_000);
}
