import { unwatchFile, watch, watchFile, type FSWatcher, type Stats } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";

/** The supergraph file does not exist (yet). */
export class SupergraphNotFoundError extends Error {
  constructor(readonly path: string) {
    super(
      `No supergraph file at ${path}. Create it with \`npm run schema:compose\` from the repository root, ` +
        "or set SUPERGRAPH_PATH to an existing supergraph.",
    );
    this.name = "SupergraphNotFoundError";
  }
}

/** Reads the supergraph SDL, turning a missing file into an error that says how to create it. */
export async function readSupergraph(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new SupergraphNotFoundError(path);
    throw error;
  }
}

export interface WatchSupergraphOptions {
  /** Called with the new SDL each time the file's content changes. */
  onChange: (sdl: string) => void;
  /** Called when the file cannot be read or watched; the caller keeps what it has. */
  onError: (error: unknown) => void;
  /** Quiet period after the last file event before reading, so half-written files are skipped. @default 200 */
  debounceMs?: number;
  /** Stat polling interval: the fallback for file systems where fs.watch misses events. @default 2000 */
  pollIntervalMs?: number;
}

/**
 * Watches a supergraph file and reports each new content once. Watches the directory rather than the file so
 * an atomic replace (write a temp file, rename it over) is seen, and polls as a fallback. Returns `close`.
 */
export function watchSupergraph(
  path: string,
  currentSdl: string,
  { onChange, onError, debounceMs = 200, pollIntervalMs = 2000 }: WatchSupergraphOptions,
): () => void {
  let last = currentSdl;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let again = false;

  const check = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        let sdl: string;
        try {
          sdl = await readSupergraph(path);
        } catch (error) {
          if (!closed) onError(error);
          continue;
        }
        // Remember rejected content too, so one bad file is reported once, not on every poll.
        if (closed || sdl === last) continue;
        last = sdl;
        onChange(sdl);
      } while (again && !closed);
    } finally {
      reading = false;
    }
  };

  const schedule = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void check(), debounceMs);
    timer.unref();
  };
  const onPoll = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino)
      schedule();
  };

  const file = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (changed === null || changed === file) schedule();
    });
    watcher.on("error", onError);
  } catch (error) {
    onError(error);
  }
  watchFile(path, { interval: pollIntervalMs, persistent: false }, onPoll);

  return () => {
    closed = true;
    clearTimeout(timer);
    watcher?.close();
    unwatchFile(path, onPoll);
  };
}
