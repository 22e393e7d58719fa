// `--baseline <git-rev>`: an earlier commit of this repository, extracted and built in a temporary folder (kept
// per commit, so a second run reuses the build), whose router and subgraphs run side by side with the current ones.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Baseline {
  /** The commit's short hash, used in the gateway's name (`router@37b3081`). */
  short: string;
  dir: string;
}

export function prepareBaseline(repoDir: string, rev: string, log: (line: string) => void = console.log): Baseline {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repoDir, encoding: "utf8" }).trim();
  const sha = git("rev-parse", "--verify", `${rev}^{commit}`);
  const short = git("rev-parse", "--short", sha);
  const dir = join(tmpdir(), "commerce-bench-baseline", sha);
  const marker = join(dir, ".bench-built");
  if (existsSync(marker)) {
    log(`baseline ${short}: reusing the build in ${dir}`);
    return { short, dir };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`baseline ${short}: extracting into ${dir}, then npm ci and npm run build (a few minutes, once per commit)`);
  // git archive rather than a git worktree: nothing is registered in the repository, so nothing needs removing.
  execFileSync("sh", ["-c", `git archive --format=tar ${sha} | tar -x -C "${dir}"`], {
    cwd: repoDir,
    stdio: "inherit",
  });
  const run = (command: string, args: string[]) =>
    execFileSync(command, args, { cwd: dir, stdio: ["ignore", "ignore", "inherit"], timeout: 20 * 60_000 });
  run("npm", ["ci", "--no-audit", "--no-fund"]);
  run("npm", ["run", "build"]);
  writeFileSync(marker, `${sha}\n`);
  return { short, dir };
}
