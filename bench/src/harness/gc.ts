// The heap after each full collection, read from a Node process's `--trace-gc` output: the only moment the heap
// holds nothing but live objects (and the young generation's survivors), so a leak shows here as a rising line where
// RSS only shows how long V8 waited to collect. Only Node imports: the router's soak uses this file too.

/** One full collection (mark-compact) of a process. */
export interface FullGc {
  /** The V8 isolate (`0x…`): the main thread's, or a worker thread's, each with its own heap. */
  isolate: string;
  /** Milliseconds since the process started. */
  ms: number;
  /** Heap in use before and after the collection (MB, as V8 prints them). */
  before: number;
  after: number;
}

const FULL_GC = /^\[\d+:(0x[0-9a-f]+)\]\s+(\d+) ms: Mark-Compact(?: \([a-z ]+\))? ([\d.]+) \([\d.]+\) -> ([\d.]+) \(/;
const ANY_GC =
  /^\[\d+:0x[0-9a-f]+\]\s+\d+ ms: (?:Scavenge|Mark-Compact|Minor Mark-Sweep|Minor Mark-Compact|Mark-Sweep)/;

/** A `--trace-gc` line's full collection, else undefined. */
export function parseFullGc(line: string): FullGc | undefined {
  const match = FULL_GC.exec(line.trim());
  if (!match) return undefined;
  return { isolate: match[1] as string, ms: Number(match[2]), before: Number(match[3]), after: Number(match[4]) };
}

/** Whether a line is `--trace-gc` output (of any collection), to keep it out of a service's log. */
export function isGcTrace(line: string): boolean {
  return ANY_GC.test(line.trim());
}

/**
 * The heap after full collections in the first and the last fifth of a run (each the mean of that fifth's
 * collections, by time), and its range: the figure a leak moves. NaN when there were fewer than two. Of the main
 * thread's heap: when worker threads collect too (each isolate has its own heap), the isolate with the largest heap.
 */
export function postGcHeap(
  collections: readonly FullGc[],
  { from = 0 }: { from?: number } = {},
): { count: number; first: number; last: number; min: number; max: number; drift: number } {
  const largest = new Map<string, number>();
  for (const gc of collections) largest.set(gc.isolate, Math.max(largest.get(gc.isolate) ?? 0, gc.after));
  const main = [...largest].sort((a, b) => b[1] - a[1])[0]?.[0];
  const kept = collections.filter((gc) => gc.isolate === main && gc.ms >= from);
  const values = kept.map((gc) => gc.after);
  if (kept.length < 2) {
    const only = values[0] ?? Number.NaN;
    return { count: kept.length, first: only, last: only, min: only, max: only, drift: Number.NaN };
  }
  const start = (kept[0] as FullGc).ms;
  const span = (kept.at(-1) as FullGc).ms - start;
  const mean = (list: FullGc[]) => list.reduce((sum, gc) => sum + gc.after, 0) / list.length;
  const firstFifth = kept.filter((gc) => gc.ms <= start + span / 5);
  const lastFifth = kept.filter((gc) => gc.ms >= start + (4 * span) / 5);
  const first = mean(firstFifth);
  const last = mean(lastFifth);
  return {
    count: kept.length,
    first,
    last,
    min: Math.min(...values),
    max: Math.max(...values),
    drift: last / first - 1,
  };
}
