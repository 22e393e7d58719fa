// Command-line options of `npm run bench`.
import { parseArgs } from "node:util";
import { GATEWAY_KINDS, HEAP_MB_DEFAULTS, type GatewayKind } from "./gateways/gateways.js";

export const FEDERATION_SCENARIOS = ["identical", "auth", "trivial"] as const;
export const STOREFRONT_SCENARIOS = ["storefront", "storefront-mix"] as const;
export const SCENARIOS = [...FEDERATION_SCENARIOS, ...STOREFRONT_SCENARIOS, "entities", "steady"] as const;
/** What `npm run bench` runs without --scenarios: everything but the long steady-rate run. */
export const DEFAULT_SCENARIOS = SCENARIOS.filter((scenario) => scenario !== "steady");
export type Scenario = (typeof SCENARIOS)[number];

export interface RunOptions {
  /** The arguments as given, for the command line recorded with the results. */
  argv: string[];
  scenarios: Scenario[];
  gateways: GatewayKind[];
  connections: number;
  /** Connections of the storefront scenarios (the storefront figure is at 20). */
  storefrontConnections: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  /** Length of the steady-rate run. */
  steadyMinutes: number;
  /** Its rate; unset: half the rate a 10 s burst reaches. */
  steadyRate: number | undefined;
  baseline: string | undefined;
  routerEnv: Record<string, string>;
  /** Our router's V8 old-generation cap in MB (`--max-old-space-size`, as `npm start` sets it); 0: V8's own sizing. */
  routerHeapMb: number;
  /** Extra env for every service of the storefront stacks (`--stack-env`), e.g. a profiler or a switch to compare. */
  stackEnv: Record<string, string>;
  traceExport: boolean;
  write: boolean;
  keepLogs: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --scenarios ${SCENARIOS.join(",")}   (default: all but steady)
  --gateways ${GATEWAY_KINDS.join(",")}   (default: all installed)
  --connections 50        federation scenarios (trivial always uses 1)
  --storefront-connections 20
  --duration 10 --warmup 5 --rounds 3   seconds per round, seconds of warm-up per target, rounds
  --steady-minutes 10 --steady-rate <rps>   steady: length and rate (default: half of a 10 s burst's rate)
  --baseline <git-rev>    also run the router (and, for the storefront, the whole stack) of that commit
  --router-env KEY=VALUE  extra env for our router (repeatable)
  --router-heap-mb ${HEAP_MB_DEFAULTS.router}    our router's heap cap, as npm start sets it (0: none, V8 sizes the heap from the machine)
  --stack-env KEY=VALUE   storefront: extra env for every service of every stack (repeatable)
  --no-trace-export       the router only propagates trace context, records no spans
  --no-write              print only; do not update BENCHMARKS.md
  --keep-logs             keep the services' logs (kept anyway when the run fails)
  --smoke                 1 round of 2 s after a 1 s warm-up, nothing written (keeps the scripts working)`;

export function parseOptions(argv: string[]): RunOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenarios: { type: "string", default: DEFAULT_SCENARIOS.join(",") },
      gateways: { type: "string", default: GATEWAY_KINDS.join(",") },
      connections: { type: "string", default: "50" },
      "storefront-connections": { type: "string", default: "20" },
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "5" },
      rounds: { type: "string", default: "3" },
      baseline: { type: "string" },
      "steady-minutes": { type: "string", default: "10" },
      "steady-rate": { type: "string" },
      "router-env": { type: "string", multiple: true, default: [] },
      "router-heap-mb": { type: "string", default: String(HEAP_MB_DEFAULTS.router) },
      "stack-env": { type: "string", multiple: true, default: [] },
      "no-trace-export": { type: "boolean", default: false },
      "no-write": { type: "boolean", default: false },
      "keep-logs": { type: "boolean", default: false },
      smoke: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  const number = (name: string, value: string, min: number): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min)
      throw new Error(`--${name} must be a number ≥ ${min}, got "${value}"`);
    return parsed;
  };
  const list = <T extends string>(name: string, value: string, known: readonly T[]): T[] => {
    const items = value.split(",").map((item) => item.trim()) as T[];
    for (const item of items)
      if (!known.includes(item)) throw new Error(`--${name}: unknown "${item}" (known: ${known.join(", ")})`);
    return items;
  };
  const pairs = (name: string, given: string[]): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const pair of given) {
      const at = pair.indexOf("=");
      if (at <= 0) throw new Error(`--${name} takes KEY=VALUE, got "${pair}"`);
      env[pair.slice(0, at)] = pair.slice(at + 1);
    }
    return env;
  };
  const smoke = values.smoke;
  return {
    argv,
    scenarios: list("scenarios", values.scenarios, SCENARIOS),
    gateways: list("gateways", values.gateways, GATEWAY_KINDS),
    connections: number("connections", values.connections, 1),
    storefrontConnections: number("storefront-connections", values["storefront-connections"], 1),
    durationSeconds: smoke ? 2 : number("duration", values.duration, 1),
    warmupSeconds: smoke ? 1 : number("warmup", values.warmup, 0),
    rounds: smoke ? 1 : number("rounds", values.rounds, 1),
    steadyMinutes: smoke ? 0.25 : number("steady-minutes", values["steady-minutes"], 0.1),
    steadyRate: values["steady-rate"] === undefined ? undefined : number("steady-rate", values["steady-rate"], 1),
    baseline: values.baseline,
    routerEnv: pairs("router-env", values["router-env"]),
    routerHeapMb: number("router-heap-mb", values["router-heap-mb"], 0),
    stackEnv: pairs("stack-env", values["stack-env"]),
    traceExport: !values["no-trace-export"],
    write: !smoke && !values["no-write"],
    keepLogs: values["keep-logs"],
  };
}
