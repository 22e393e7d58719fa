// What a result was measured on and with: machine, date, command, package versions, git revision.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

export function machineLine(): string {
  const cores = cpus();
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(" ");
  return `${cores.length} cores (${cores[0]?.model.trim() ?? "unknown CPU"}), Node ${process.version}, load average at start ${load}`;
}

/** `version` of an installed package, looked up from `dir`'s node_modules. */
export function packageVersion(dir: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    return "not installed";
  }
}

/**
 * Short commit of `dir`, with `+dirty` when its work tree has uncommitted changes other than BENCHMARKS.md (which
 * the benchmark itself writes: one scenario's run would otherwise mark every later one of the same tree dirty).
 */
export function gitRevision(dir: string): string {
  try {
    const rev = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: dir, encoding: "utf8" }).trim();
    const dirty =
      execFileSync("git", ["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude,top)BENCHMARKS.md"], {
        cwd: dir,
        encoding: "utf8",
      }).trim() !== "";
    return dirty ? `${rev}+dirty` : rev;
  } catch {
    return "unknown";
  }
}

/** The command that reproduces this run, as typed at the repository root. */
export function commandLine(args: readonly string[]): string {
  return `npm run bench${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`;
}
