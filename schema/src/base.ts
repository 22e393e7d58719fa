import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { displayPath, repoRoot, supergraphPath } from "./compose.js";

/** What breaking changes are measured against: a supergraph (or API schema) SDL, or the reason there is none. */
export type Base = { kind: "sdl"; label: string; sdl: string } | { kind: "none"; reason: string };

export interface GitBaseOptions {
  /** The branch whose merge base is the base. @default "main" (then "origin/main") */
  branch?: string;
  /** Working directory inside the repository. @default the repository root */
  cwd?: string;
  /** The supergraph file to read at the merge base. @default schema/supergraph.graphql */
  file?: string;
}

/**
 * The committed supergraph at the merge base of HEAD and `main`. When HEAD is that merge base (work straight on
 * main, or a branch with nothing committed yet), the base is HEAD's commit, so the check compares the working tree
 * with the last commit. No git, no main, a shallow clone without the merge base, or no supergraph at the base
 * give `{ kind: "none", reason }`; they never throw.
 */
export function resolveGitBase({ branch = "main", cwd = repoRoot, file = supergraphPath }: GitBaseOptions = {}): Base {
  const git = (...args: string[]): string | undefined => {
    try {
      return execFileSync("git", args, {
        cwd,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch {
      return undefined;
    }
  };
  const top = git("rev-parse", "--show-toplevel")?.trim();
  if (!top)
    return {
      kind: "none",
      reason: "not a git checkout (or git is not installed); pass --base <file> to compare against a file",
    };
  const candidates = branch.includes("/") ? [branch] : [branch, `origin/${branch}`];
  const ref = candidates.find((r) => git("rev-parse", "--verify", "--quiet", `${r}^{commit}`) !== undefined);
  if (!ref)
    return {
      kind: "none",
      reason: `no ${candidates.join(" or ")} branch in this clone; fetch it or pass --base <file>`,
    };
  const mergeBase = git("merge-base", "HEAD", ref)?.trim();
  if (!mergeBase) {
    const shallow = git("rev-parse", "--is-shallow-repository")?.trim() === "true";
    return {
      kind: "none",
      reason: shallow
        ? `shallow clone: the merge base of HEAD and ${ref} is not in the fetched history (git fetch --unshallow, or pass --base <file>)`
        : `HEAD and ${ref} have no common history`,
    };
  }
  const path = relative(top, file).split("\\").join("/");
  const sdl = git("show", `${mergeBase}:${path}`);
  const short = mergeBase.slice(0, 10);
  if (sdl === undefined)
    return { kind: "none", reason: `${path} does not exist at the merge base ${short} of HEAD and ${ref}` };
  const head = git("rev-parse", "HEAD")?.trim();
  const label =
    head === mergeBase
      ? `${path} at HEAD ${short} (HEAD is the merge base with ${ref}: the working tree is compared with the last commit)`
      : `${path} at ${short}, the merge base of HEAD and ${ref}`;
  return { kind: "sdl", label, sdl };
}

/** A base read from a file (`--base`): a supergraph, or a plain API schema SDL. Throws when it cannot be read. */
export async function readBaseFile(path: string): Promise<Base> {
  return { kind: "sdl", label: displayPath(path), sdl: await readFile(path, "utf8") };
}
