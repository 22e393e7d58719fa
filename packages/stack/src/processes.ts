import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Finds an executable on PATH (plus the sbin folders Debian uses), or undefined. */
export function findExecutable(name: string, path = process.env.PATH ?? ""): string | undefined {
  const dirs = [...path.split(delimiter), "/usr/sbin", "/usr/bin", "/usr/local/bin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The command line of a live process (Linux), to make sure a stale pid is still ours. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** Sends `signal`, then waits up to `timeoutMs` for the process to exit (SIGKILL after that). */
export async function stopPid(pid: number, signal: NodeJS.Signals, timeoutMs = 10_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}
