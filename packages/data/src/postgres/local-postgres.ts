import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Clock, systemClock } from "@nines/core";
import pg from "pg";
import { findPostgresBin } from "./binaries.js";
import { postgresServerError } from "./errors.js";
import { pingPostgres } from "./ping.js";

const run = promisify(execFile);

/**
 * Options of {@link LocalPostgres}'s constructors.
 *
 * @example
 * await LocalPostgres.init({ dir: "/tmp/pg/primary", settings: { wal_level: "replica" } });
 */
export interface LocalPostgresOptions {
  /** The data directory; its parent must exist. Created by {@link LocalPostgres.init}. */
  dir: string;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Extra postgresql.conf settings, e.g. `{ synchronous_commit: "on" }`. */
  settings?: Record<string, string>;
  /** Directory of the server programs; found automatically by default. */
  binDir?: string;
  /** Clock for start-up waits. */
  clock?: Clock;
}

interface Identity {
  uid: number;
  gid: number;
  user: string;
}

/** PostgreSQL refuses to run as root: when we are root, run it as the `postgres` user. */
async function serverIdentity(): Promise<Identity | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout } = await run("id", ["-u", "postgres"]).catch(() => {
    throw postgresServerError("user", "running as root and there is no 'postgres' user to run PostgreSQL as", {
      hint: "install Debian's postgresql package (it creates the user) or run as a normal user",
    });
  });
  const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
  return { uid: Number(stdout.trim()), gid, user: "postgres" };
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * A PostgreSQL server of our own on loopback: initdb, start, crash (SIGKILL
 * of its whole process group, like a machine dying), stop, promote. Used by
 * the failover and point-in-time-recovery proofs and by drills; it is a
 * test harness for real servers, not a production process manager.
 *
 * @example
 * const primary = await LocalPostgres.init({ dir: "/tmp/pg/primary", settings: { wal_level: "replica" } });
 * await primary.start();
 * const client = new pg.Client(primary.url());
 */
export class LocalPostgres {
  readonly dir: string;
  readonly binDir: string;
  port: number;
  #process: ChildProcess | undefined;
  #log = "";
  #identity: Identity | undefined;
  readonly #clock: Clock;

  private constructor(dir: string, binDir: string, port: number, identity: Identity | undefined, clock: Clock) {
    this.dir = dir;
    this.binDir = binDir;
    this.port = port;
    this.#identity = identity;
    this.#clock = clock;
  }

  /** Creates a new cluster in `options.dir` (trust authentication on loopback only). */
  static async init(options: LocalPostgresOptions): Promise<LocalPostgres> {
    const server = await LocalPostgres.#prepare(options);
    await server.#exec("initdb", ["-D", server.dir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
    server.#configure(options.settings ?? {});
    return server;
  }

  /**
   * Creates a streaming standby of `primary` with pg_basebackup (`-R` writes
   * the standby's connection settings), named `applicationName` so the
   * primary's `synchronous_standby_names` can require it.
   */
  static async standbyOf(
    primary: LocalPostgres,
    applicationName: string,
    options: LocalPostgresOptions,
  ): Promise<LocalPostgres> {
    const server = await LocalPostgres.#prepare(options);
    await server.#exec("pg_basebackup", [
      "-D",
      server.dir,
      "-h",
      "127.0.0.1",
      "-p",
      String(primary.port),
      "-U",
      "postgres",
      "-X",
      "stream",
      "-R",
      "--no-sync",
      "-d",
      `application_name=${applicationName}`,
    ]);
    server.#configure(options.settings ?? {});
    return server;
  }

  /** Restores a cluster from a base backup directory copy (see point-in-time recovery). */
  static async fromDirectory(options: LocalPostgresOptions): Promise<LocalPostgres> {
    const server = await LocalPostgres.#prepare(options, false);
    server.#configure(options.settings ?? {});
    return server;
  }

  static async #prepare(options: LocalPostgresOptions, create = true): Promise<LocalPostgres> {
    const binDir = options.binDir ?? findPostgresBin();
    const identity = await serverIdentity();
    const port = options.port || (await freePort());
    if (create) {
      if (existsSync(options.dir)) {
        throw postgresServerError("dirExists", `data directory ${options.dir} already exists`, {
          hint: "choose a new directory; a cluster is never created over an existing one",
        });
      }
      mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    }
    if (identity) chownTree(options.dir, identity);
    return new LocalPostgres(options.dir, binDir, port, identity, options.clock ?? systemClock);
  }

  #configure(settings: Record<string, string>): void {
    const base: Record<string, string> = {
      listen_addresses: "'127.0.0.1'",
      port: String(this.port),
      unix_socket_directories: `'${this.dir}'`,
      fsync: "on",
      max_connections: "50",
      shared_buffers: "32MB",
      log_min_messages: "warning",
      logging_collector: "off",
    };
    const lines = Object.entries({ ...base, ...settings }).map(([k, v]) => `${k} = ${v}`);
    const conf = join(this.dir, "postgresql.auto.conf");
    const previous = existsSync(conf) ? readFileSync(conf, "utf8") : "";
    writeFileSync(conf, `${previous}\n# nines\n${lines.join("\n")}\n`);
    const hba = join(this.dir, "pg_hba.conf");
    writeFileSync(
      hba,
      "local all all trust\nhost all all 127.0.0.1/32 trust\nlocal replication all trust\nhost replication all 127.0.0.1/32 trust\n",
    );
    if (this.#identity) chownTree(this.dir, this.#identity);
  }

  /** Adds settings to postgresql.auto.conf (takes effect at the next start). */
  configure(settings: Record<string, string>): void {
    this.#configure(settings);
  }

  /** A connection URL for `database` on this server. */
  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** True while the server process we started is alive. */
  get running(): boolean {
    return this.#process !== undefined && this.#process.exitCode === null && this.#process.signalCode === null;
  }

  /** The end of what the server wrote on stderr since it was last started (its log). */
  get log(): string {
    return this.#log;
  }

  /** The postmaster's process id, while running. */
  get pid(): number | undefined {
    return this.running ? this.#process?.pid : undefined;
  }

  /** Starts the server in its own process group and waits until it accepts connections. */
  async start(timeoutMs = 30_000): Promise<void> {
    const child = spawn(join(this.binDir, "postgres"), ["-D", this.dir], {
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      ...(this.#identity ? { uid: this.#identity.uid, gid: this.#identity.gid } : {}),
    });
    this.#log = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      this.#log = (this.#log + chunk.toString()).slice(-4000);
    });
    this.#process = child;
    const deadlineAt = this.#clock.now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        throw postgresServerError("start", `PostgreSQL in ${this.dir} exited while starting`, {
          hint: "read its log below",
          details: { log: this.#log },
        });
      }
      if (await pingPostgres(this.url(), 1000)) return;
      if (this.#clock.now() > deadlineAt) {
        throw postgresServerError("start", `PostgreSQL in ${this.dir} did not accept connections in time`, {
          details: { log: this.#log },
        });
      }
      await this.#clock.sleep(50);
    }
  }

  /** Kills the whole server (postmaster and backends) with SIGKILL: a crash, no shutdown checkpoint. */
  async crash(): Promise<void> {
    await this.#signal("SIGKILL");
  }

  /** A fast shutdown (SIGINT): active transactions roll back, a checkpoint is written. */
  async stop(): Promise<void> {
    await this.#signal("SIGINT");
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#process;
    if (!child || !this.running || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      // The negative pid signals the whole process group: postmaster and every backend.
      process.kill(signal === "SIGKILL" ? -child.pid : child.pid, signal);
    } catch {
      return;
    }
    await exited;
  }

  /** Promotes a standby to primary and waits until it accepts writes. */
  async promote(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 2000 });
    await client.connect();
    try {
      await client.query("select pg_promote(true, 60)");
    } finally {
      await client.end();
    }
  }

  async #exec(program: string, args: string[]): Promise<void> {
    const command = join(this.binDir, program);
    const full = this.#identity ? ["runuser", ["-u", this.#identity.user, "--", command, ...args]] : [command, args];
    try {
      await run(full[0] as string, full[1] as string[], { maxBuffer: 1 << 24 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? "";
      throw postgresServerError("command", `${program} failed: ${stderr.trim() || String(error)}`, {
        cause: error,
        hint: "see the program's message above",
      });
    }
  }

  /** Gives the server's OS user a folder we created (a WAL archive, a backup folder). */
  async chownForServer(path: string): Promise<void> {
    if (this.#identity) chownTree(path, this.#identity);
  }

  /** Runs one of PostgreSQL's programs (pg_basebackup, pg_dump...) as the server's user. */
  exec(program: string, args: string[]): Promise<void> {
    return this.#exec(program, args);
  }
}

/** Gives the server's user the whole data directory (we may have written files in it as root). */
function chownTree(path: string, identity: Identity): void {
  chownSync(path, identity.uid, identity.gid);
  if (!statSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) chownTree(join(path, name), identity);
}
