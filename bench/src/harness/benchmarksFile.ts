// BENCHMARKS.md at the repository root: each script owns sections between its own markers and leaves the
// rest of the file as it found it.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const TITLE =
  "# Benchmarks\n\nFigures of the repository's benchmark scripts. Each section is written by the script it names; compare\nratios measured in the same run, never absolute numbers across runs or machines.\n";

export function sectionMarkers(id: string): { begin: string; end: string } {
  return { begin: `<!-- bench:${id}:begin -->`, end: `<!-- bench:${id}:end -->` };
}

/** The file with section `id` replaced by `content` (appended when the file has no such section yet). */
export function replaceSection(file: string, id: string, content: string): string {
  const { begin, end } = sectionMarkers(id);
  const block = `${begin}\n${content.trim()}\n${end}`;
  const from = file.indexOf(begin);
  const to = file.indexOf(end, from);
  if (from >= 0 && to > from) return file.slice(0, from) + block + file.slice(to + end.length);
  const base = file.trim() === "" ? TITLE : file.replace(/\n*$/, "\n");
  return `${base}\n${block}\n`;
}

/** Writes section `id` of the Markdown file at `path`, creating the file when needed. */
export function writeSection(path: string, id: string, content: string): void {
  const current = existsSync(path) ? readFileSync(path, "utf8") : "";
  writeFileSync(path, replaceSection(current, id, content));
}
