import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { OnProgress } from "@nines/core";
import type { ZoneNetwork } from "../../fault/zone-network.js";
import { findPostgresBinaries, type PostgresBinaries } from "../../postgres/postgres-binaries.js";
import type { RunDirectory } from "../../process/run-directory.js";
import { postgresVariable, sqliteVariable } from "../env-names.js";
import type { PlannedService, PlannedStore } from "../system-plan.js";
import { PostgresStore } from "./postgres-store.js";

/** A store as the system shows it. */
export type StoreView =
  | { kind: "postgres"; name: string; engine: string; members: ReturnType<PostgresStore["members"]> }
  | { kind: "sqlite"; name: string; engine: string; perZone: boolean; paths: string[] };

/**
 * The stores of a local run: PostgreSQL servers (started fresh, through
 * fault proxies) and SQLite file paths (old files removed), and the
 * environment each instance gets for the stores it calls.
 *
 * @example
 * const stores = await Stores.start({ run, plans: plan.stores, network });
 * stores.envFor(orders, "us-central1-a"); // { ORDERS_DB_URLS: "...", DATABASE_URLS: "..." }
 * await stores.stop();
 */
export class Stores {
  readonly postgres = new Map<string, PostgresStore>();
  /** Where PostgreSQL came from, null when no store needs it. */
  readonly binaries: PostgresBinaries | null;
  readonly #plans: readonly PlannedStore[];
  readonly #run: RunDirectory;

  private constructor(run: RunDirectory, plans: readonly PlannedStore[], binaries: PostgresBinaries | null) {
    this.#run = run;
    this.#plans = plans;
    this.binaries = binaries;
  }

  static async start(options: {
    run: RunDirectory;
    plans: readonly PlannedStore[];
    network: ZoneNetwork;
    zones: readonly string[];
    binaries?: PostgresBinaries;
    onProgress?: OnProgress;
  }): Promise<Stores> {
    const { run, plans, network } = options;
    const needsPostgres = plans.some((p) => p.kind === "postgres");
    const binaries = needsPostgres ? (options.binaries ?? (await findPostgresBinaries())) : null;
    const stores = new Stores(run, plans, binaries);
    rmSync(run.file("stores"), { recursive: true, force: true });
    try {
      let done = 0;
      for (const plan of plans) {
        options.onProgress?.({ phase: "stores", done, total: plans.length, unit: "stores", message: plan.name });
        if (plan.kind === "postgres") {
          const server = await PostgresStore.start({ run, plan, binaries: binaries as PostgresBinaries, network });
          stores.postgres.set(plan.name, server);
        } else {
          for (const path of stores.#paths(plan, options.zones)) mkdirSync(dirname(path), { recursive: true });
        }
        done++;
      }
    } catch (error) {
      await stores.stop();
      throw error;
    }
    return stores;
  }

  /** The variables an instance of `service` in `zone` gets for the stores it calls. */
  envFor(service: PlannedService, zone: string): Record<string, string> {
    const env: Record<string, string> = {};
    const postgres = service.stores.filter((s) => this.postgres.has(s));
    for (const name of service.stores) {
      const plan = this.#plans.find((p) => p.name === name);
      if (!plan) continue;
      if (plan.kind === "postgres") env[postgresVariable(name)] = this.postgres.get(name)?.urls() ?? "";
      else env[sqliteVariable(name)] = this.#path(plan, zone);
    }
    if (postgres.length === 1) env["DATABASE_URLS"] = this.postgres.get(postgres[0] as string)?.urls() ?? "";
    return env;
  }

  views(zones: readonly string[]): StoreView[] {
    return this.#plans.map((plan) =>
      plan.kind === "postgres"
        ? {
            kind: "postgres",
            name: plan.name,
            engine: plan.engine,
            members: this.postgres.get(plan.name)?.members() ?? [],
          }
        : {
            kind: "sqlite",
            name: plan.name,
            engine: plan.engine,
            perZone: plan.perZone,
            paths: this.#paths(plan, zones),
          },
    );
  }

  /** The path of a SQLite store's file for an instance in `zone`. */
  #path(plan: Extract<PlannedStore, { kind: "sqlite" }>, zone: string): string {
    return plan.perZone
      ? this.#run.file("stores", zone, `${plan.name}.db`)
      : this.#run.file("stores", `${plan.name}.db`);
  }

  #paths(plan: Extract<PlannedStore, { kind: "sqlite" }>, zones: readonly string[]): string[] {
    return plan.perZone ? zones.map((z) => this.#path(plan, z)) : [this.#path(plan, "")];
  }

  async stop(): Promise<void> {
    await Promise.all([...this.postgres.values()].map((p) => p.stop().catch(() => {})));
  }
}
