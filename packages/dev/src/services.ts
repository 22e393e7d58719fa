import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startService, type Service } from "@commerce/start";

const exitWithParent = fileURLToPath(new URL("./exitWithParent.ts", import.meta.url));

/** Runs a package's src/index.ts under tsx with the given env, prefixing its output with its name. */
export function startDevService(
  name: string,
  packageDir: string,
  port: number,
  env: Record<string, string | undefined>,
  onExit: (code: number | null) => void,
): Service {
  const execArgv = ["--conditions=development", "--import", "tsx", "--import", exitWithParent];
  return startService({
    name,
    entry: join(packageDir, "src", "index.ts"),
    execArgv,
    cwd: packageDir,
    port,
    env,
    output: "prefix",
    onExit: (code) => onExit(code),
  });
}
