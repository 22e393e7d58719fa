import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
// chokidar rather than node's own `--watch`: `--watch` restarts a process when a module it imported changes, but a
// subgraph reads its schema.graphql with readFile (never imported, so never watched), a schema change must recompose
// the supergraph rather than only restart, and its supervisor process would stand between this runtime and the
// service (a hard-killed `npm run dev` would leave services holding their ports). chokidar (maintained, used by vite
// and webpack) gives one watcher over every service and shared package, says which file changed so only the services
// that use it restart, and copes with editors that save by writing a temp file and renaming it over the old one.
import { watch, type FSWatcher } from "chokidar";
import { compose, formatProblem, type SubgraphSource } from "@commerce/schema";
import { stopService, waitReady, type Service } from "@commerce/start";
import { startDevService } from "./services.js";
import { isInside, readWorkspace, sharedPackageDirs } from "./workspace.js";

/** What the loop reports, besides its log lines (tests wait on these). */
export type DevLoopEvent =
  | { type: "ready"; service: string; pid: number }
  | { type: "exited"; service: string; code: number | null }
  | { type: "failed"; service: string; reason: string }
  | { type: "composed"; supergraphPath: string }
  | { type: "compositionFailed"; problems: string[] };

export interface DevLoopOptions {
  /**
   * Every subgraph: its package folder (with `src/index.ts` and `schema.graphql`), the port it listens on, and the
   * variables only it gets (over `env`).
   */
  subgraphs: readonly { name: string; dir: string; port: number; env?: Readonly<Record<string, string | undefined>> }[];
  /** The router's package folder, port and host. */
  router: { dir: string; port: number; host: string };
  /** The environment every service starts with (database, Redis, secrets, every subgraph's URL). */
  env: Readonly<Record<string, string | undefined>>;
  /** Where the composed supergraph is written; the router serves this file and reloads it when it changes. */
  supergraphPath: string;
  /** Served when the subgraphs do not compose at start-up (the committed supergraph). */
  fallbackSupergraphPath?: string;
  /** The npm workspace root: a change in a workspace package restarts the services that depend on it. */
  workspaceRoot: string;
  /** Quiet time after the last file event before anything restarts, so a save of many files is one restart. @default 300 */
  debounceMs?: number;
  log?: (line: string) => void;
  onEvent?: (event: DevLoopEvent) => void;
}

export interface DevLoop {
  /** The services' current processes by name (`router` included); a stopped or crashed service has none. */
  pids(): Record<string, number | undefined>;
  /** Stops watching, then the router, then the subgraphs. */
  stop(): Promise<void>;
}

interface Running {
  name: string;
  dir: string;
  port: number;
  env: Record<string, string | undefined>;
  service?: Service;
  /** Set while this runtime stops the process itself, so its exit is not reported as a crash. */
  stopping: boolean;
  ready: boolean;
}

const IGNORED = /[/\\](node_modules|dist|generated|__generated__|test)([/\\]|$)/;

/**
 * Starts every subgraph and the router, then watches their code: a change restarts only the services it belongs to
 * (a shared package's change, every service that depends on it); a subgraph's `schema.graphql` change recomposes the
 * supergraph, restarts that subgraph and writes the new supergraph for the router to reload. Changes are debounced;
 * a service that crashes (or fails to start) is reported and waits for the next change instead of restarting in a
 * loop; a composition error is printed and the router keeps serving the last supergraph that composed.
 */
export async function startDevLoop(options: DevLoopOptions): Promise<DevLoop> {
  const { supergraphPath, debounceMs = 300, log = (line) => console.log(`[dev] ${line}`) } = options;
  const emit = options.onEvent ?? (() => {});
  const subgraphUrl = (port: number) => `http://127.0.0.1:${port}/graphql`;
  const subgraphs: Running[] = options.subgraphs.map((s) => ({
    ...s,
    env: { ...options.env, ...s.env },
    stopping: false,
    ready: false,
  }));
  const router: Running = {
    name: "router",
    dir: options.router.dir,
    port: options.router.port,
    env: { ...options.env, HOST: options.router.host, SUPERGRAPH_PATH: supergraphPath },
    stopping: false,
    ready: false,
  };
  const all = [...subgraphs, router];
  const workspace = readWorkspace(options.workspaceRoot);
  const sharedDirs = new Map(all.map((r) => [r.name, sharedPackageDirs(r.dir, workspace)]));
  const show = (path: string) => relative(options.workspaceRoot, path) || path;

  const start = async (running: Running): Promise<void> => {
    running.stopping = false;
    running.ready = false;
    const service = startDevService(running.name, running.dir, running.port, running.env, (code) => {
      // Stopped on purpose, replaced, or still starting (start() reports that): nothing to say here.
      if (running.service !== service || running.stopping || !running.ready) return;
      running.service = undefined;
      log(`${running.name} exited (code ${code}); it restarts on the next change to its code`);
      emit({ type: "exited", service: running.name, code });
    });
    running.service = service;
    try {
      await waitReady(service, { path: "/health" });
      running.ready = true;
      emit({ type: "ready", service: running.name, pid: service.child.pid as number });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (running.service === service && !running.stopping) {
        log(`${running.name} did not start (${reason}); it restarts on the next change to its code`);
        emit({ type: "failed", service: running.name, reason });
        await stopService(service, 5_000);
        running.service = undefined;
      }
    }
  };
  const stop = async (running: Running): Promise<void> => {
    if (!running.service) return;
    running.stopping = true;
    await stopService(running.service, 10_000);
    running.service = undefined;
  };
  const restart = async (running: Running): Promise<void> => {
    await stop(running);
    await start(running);
  };

  /** Composes every subgraph's schema.graphql as it is on disk; prints the problems when it does not compose. */
  const recompose = async (): Promise<string | undefined> => {
    const sources: SubgraphSource[] = await Promise.all(
      subgraphs.map(async (s) => {
        const schemaPath = join(s.dir, "schema.graphql");
        return { name: s.name, url: subgraphUrl(s.port), schemaPath, sdl: await readFile(schemaPath, "utf8") };
      }),
    );
    const result = compose(sources);
    if (result.ok) return `${result.supergraphSdl.trimEnd()}\n`;
    const problems = result.problems.map(formatProblem);
    log(`the subgraphs do not compose (${problems.length} error(s)); the router keeps the last supergraph that did:`);
    for (const problem of result.problems) {
      log(`  - ${formatProblem(problem)}`);
      for (const location of problem.locations) log(`      at ${location}`);
    }
    emit({ type: "compositionFailed", problems });
    return undefined;
  };
  /** Written whole under another name, then renamed over the file, so the router never reads half of it. */
  const writeSupergraph = async (sdl: string): Promise<void> => {
    await mkdir(dirname(supergraphPath), { recursive: true });
    const temporary = `${supergraphPath}.${process.pid}.tmp`;
    await writeFile(temporary, sdl);
    await rename(temporary, supergraphPath);
    emit({ type: "composed", supergraphPath });
  };

  const composed = await recompose();
  if (composed) await writeSupergraph(composed);
  else if (!existsSync(supergraphPath) && options.fallbackSupergraphPath) {
    await mkdir(dirname(supergraphPath), { recursive: true });
    await copyFile(options.fallbackSupergraphPath, supergraphPath);
    log(`serving ${show(options.fallbackSupergraphPath)} until the subgraphs compose`);
  }
  await Promise.all(subgraphs.map(start));
  await start(router);

  // Changed files gather here until the watcher has been quiet for debounceMs; one batch is handled at a time.
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let handling: Promise<void> = Promise.resolve();
  let closed = false;

  const handle = async (paths: string[]): Promise<void> => {
    const schemaChanged = new Set<Running>();
    const codeChanged = new Set<Running>();
    for (const path of paths) {
      for (const running of all) {
        if (running !== router && path === join(running.dir, "schema.graphql")) schemaChanged.add(running);
        else if (isInside(path, running.dir) || sharedDirs.get(running.name)?.some((dir) => isInside(path, dir)))
          codeChanged.add(running);
      }
    }
    log(`changed: ${paths.map(show).join(", ")}`);
    let supergraph: string | undefined;
    if (schemaChanged.size > 0) {
      supergraph = await recompose();
      // A schema that does not compose leaves its subgraph as it is, so the graph keeps working meanwhile.
      if (supergraph) for (const running of schemaChanged) codeChanged.add(running);
    }
    const toRestart = [...codeChanged];
    if (toRestart.length > 0) log(`restarting ${toRestart.map((r) => r.name).join(", ")}`);
    await Promise.all(toRestart.filter((r) => r !== router).map(restart));
    if (supergraph) {
      await writeSupergraph(supergraph);
      log(`supergraph recomposed → ${show(supergraphPath)} (the router reloads it)`);
    }
    if (codeChanged.has(router)) await restart(router);
    const up = toRestart.filter((r) => r.ready).map((r) => r.name);
    if (up.length > 0) log(`reloaded: ${up.join(", ")}`);
  };
  const flush = () => {
    const paths = [...changed];
    changed.clear();
    handling = handling
      .then(() => (closed ? undefined : handle(paths)))
      .catch((error: unknown) => {
        log(`reload failed: ${error instanceof Error ? error.message : String(error)}`);
      });
  };

  const watched = new Set<string>();
  for (const running of all) {
    watched.add(join(running.dir, "src"));
    if (running !== router) watched.add(join(running.dir, "schema.graphql"));
    for (const dir of sharedDirs.get(running.name) ?? []) watched.add(join(dir, "src"));
  }
  const watcher: FSWatcher = watch([...watched].filter(existsSync), {
    ignoreInitial: true,
    ignored: (path) => IGNORED.test(path),
  });
  watcher.on("all", (_event, path) => {
    changed.add(path);
    clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  });
  watcher.on("error", (error) => log(`file watcher: ${error instanceof Error ? error.message : String(error)}`));
  await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));

  return {
    pids: () => Object.fromEntries(all.map((r) => [r.name, r.service?.child.pid])),
    async stop() {
      closed = true;
      clearTimeout(timer);
      await watcher.close();
      await handling;
      await stop(router);
      await Promise.all(subgraphs.map(stop));
    },
  };
}
