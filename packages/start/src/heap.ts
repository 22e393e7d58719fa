// No imports: the benchmark package (bench/, outside the workspaces) reads the defaults from this file.

/** What `heapSizes` reads the environment with (`readEnv` of @commerce/common). */
interface HeapEnvReader {
  optionalString(name: string): string | undefined;
  int(name: string, fallback: number, range?: { min?: number; max?: number }): number;
}

/**
 * Each service's V8 old-generation cap in MB (`--max-old-space-size`), unless `<NAME>_HEAP_MB` or `NODE_HEAP_MB`
 * says otherwise. Without a cap V8 sizes the heap from the machine's memory (4 GB on a 16 GB host) and lets promoted
 * request garbage pile up for minutes before a full collection, so RSS grows far past what a service keeps (its live
 * heap is 50–70 MB). Under a cap V8 collects sooner. The router's is larger: its requests carry whole responses.
 * docker-compose.yml and deploy/kubernetes set the same figures; BENCHMARKS.md has the measurements behind them.
 */
export const HEAP_MB_DEFAULTS = { router: 256, subgraph: 192 } as const;

/** The smallest cap accepted: below it a service does not start reliably. */
export const HEAP_MB_MIN = 96;

/** `ROUTER_HEAP_MB`, `ORDERS_HEAP_MB`, …: the variable that sets one service's cap. */
export function heapVariable(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_HEAP_MB`;
}

/**
 * Every service's old-generation cap in MB: `<NAME>_HEAP_MB`, else `NODE_HEAP_MB` (every service), else its
 * default. Problems are reported through `read` (its ConfigError names every one).
 */
export function heapSizes(read: HeapEnvReader, services: readonly string[]): Record<string, number> {
  const range = { min: HEAP_MB_MIN, max: 65_536 };
  const everyService =
    read.optionalString("NODE_HEAP_MB") === undefined ? undefined : read.int("NODE_HEAP_MB", 0, range);
  return Object.fromEntries(
    services.map((service) => {
      const fallback = everyService ?? (service === "router" ? HEAP_MB_DEFAULTS.router : HEAP_MB_DEFAULTS.subgraph);
      return [service, read.int(heapVariable(service), fallback, range)];
    }),
  );
}

/**
 * How far V8 lets the old generation grow past what survived its last full collection before the next one
 * (300 %: to 4× the survivors). V8 picks that factor from the heap limit: 4× when the limit is 2 GB or more (what a
 * service gets uncapped on a large machine), but only 1.3× at 256 MB and 1.4× at 512 MB. So a cap alone tripled the
 * router's full collections and cost it about a third more CPU per response at 50 connections (BENCHMARKS.md). With
 * the big-heap factor back the cap still bounds the heap: V8 never sets the next collection's limit beyond halfway
 * between the survivors and the cap.
 */
export const HEAP_GROWING_FLAG = "--heap-growing-percent=300";

/**
 * The largest a young-generation semi-space may grow (64 MB): Node 24's V8 default, pinned so every Node version runs
 * with the young generation the image runs with (Node 20's stops at 16 MB). Under concurrent load a request's data
 * outlives young collections of a small young generation and is promoted to wait for a full one; at 16 MB that cost
 * the router about a tenth more CPU per response at 50 connections (BENCHMARKS.md). The young generation takes up to
 * three semi-spaces, 192 MB, beside the capped old generation.
 */
export const SEMI_SPACE_FLAG = "--max-semi-space-size=64";

/** What every launch path passes beside the cap (docker compose and Kubernetes set the cap from their own variable). */
export const HEAP_TUNING_FLAGS: readonly string[] = [HEAP_GROWING_FLAG, SEMI_SPACE_FLAG];

/**
 * The Node flags that apply a cap and the tuning above: on the command line, so they win over the same flags in
 * NODE_OPTIONS.
 */
export function heapFlags(mb: number): string[] {
  return [`--max-old-space-size=${mb}`, ...HEAP_TUNING_FLAGS];
}
