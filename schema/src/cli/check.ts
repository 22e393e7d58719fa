// npm run schema:check — composition, freshness, breaking changes, client operations, limits, contracts, hygiene.
// Human report on stdout, Markdown in schema/check-report.md (for a CI comment), JSON with --json. Exit 0 pass, 1 fail.
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gatherCheckInput, runSchemaCheck } from "../check.js";
import { displayPath, schemaPackageDir } from "../compose.js";
import { renderJson, renderMarkdown, renderText } from "../report.js";

const USAGE = `Usage: npm run schema:check [-- options]
  --base <file>        compare against this supergraph (or API schema) file instead of the git merge base with main
  --branch <name>      the branch whose merge base is the base (default: main, then origin/main)
  --json               print the report as JSON instead of text
  --markdown <file>    where to write the Markdown report (default: schema/check-report.md)
  --no-markdown        do not write the Markdown report
  --max-cost <n>       override the router's cost limit
  --max-depth <n>      override the router's depth limit
  -h, --help           this help`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    // npm and turbo run this from schema/; --base paths given on the command line are relative to where npm was started.
    options: {
      base: { type: "string" },
      branch: { type: "string" },
      json: { type: "boolean", default: false },
      markdown: { type: "string" },
      "no-markdown": { type: "boolean", default: false },
      "max-cost": { type: "string" },
      "max-depth": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const maxCost = positiveInt("max-cost", values["max-cost"]);
  const maxDepth = positiveInt("max-depth", values["max-depth"]);
  const input = await gatherCheckInput({
    ...(values.base ? { baseFile: resolve(cwd, values.base) } : {}),
    ...(values.branch ? { branch: values.branch } : {}),
    limits: {
      env: process.env,
      overrides: { ...(maxCost !== undefined ? { maxCost } : {}), ...(maxDepth !== undefined ? { maxDepth } : {}) },
    },
  });
  const report = await runSchemaCheck(input);
  process.stdout.write(values.json ? renderJson(report) : renderText(report));
  if (!values["no-markdown"]) {
    const file = values.markdown ? resolve(cwd, values.markdown) : join(schemaPackageDir, "check-report.md");
    await writeFile(file, renderMarkdown(report));
    if (!values.json) console.log(`Markdown report: ${displayPath(file)}`);
  }
  return report.ok ? 0 : 1;
}

// exitCode, not exit(): stdout to a pipe is flushed asynchronously, and a large --json report must arrive whole.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`schema:check could not run: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 1;
  },
);
