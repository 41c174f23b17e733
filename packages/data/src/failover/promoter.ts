import {
  type Clock,
  Events,
  type Listener,
  requireKnownOptions,
  requireOption,
  systemClock,
  type Unsubscribe,
} from "@nines/core";
import pg from "pg";
import { pingPostgres } from "../postgres/ping.js";
import { failoverError } from "./errors.js";

/**
 * Options of {@link Promoter}.
 *
 * @example
 * new Promoter({ primary: primaryUrl, standby: standbyUrl, intervalMs: 200, failureThreshold: 3 });
 */
export interface PromoterOptions {
  /** The primary's connection URL, checked every `intervalMs`. */
  primary: string;
  /** The standby's connection URL; promoted when the primary has failed `failureThreshold` checks in a row. */
  standby: string;
  /** Milliseconds between checks. Default 500. */
  intervalMs?: number;
  /** Consecutive failed checks before promoting (>= 1). Default 3. */
  failureThreshold?: number;
  /** Milliseconds a check may take before it counts as failed. Default 1000. */
  checkTimeoutMs?: number;
  /**
   * What to do with `synchronous_standby_names` on the promoted server,
   * which has no standby of its own yet: `relax` (default) clears it so
   * writes are accepted at once, and reports it (`degraded` event): the
   * classic choice of availability over waiting for a new standby; `keep`
   * leaves it, so commits wait until a standby joins.
   */
  afterPromotion?: "relax" | "keep";
  clock?: Clock;
}

/** The events of a {@link Promoter}, by type; `at` is epoch ms on its clock. */
export interface PromoterEvents {
  /** One check of the primary; `failures` counts the failed checks in a row. */
  check: { ok: boolean; failures: number; at: number };
  promoted: { at: number; detectedAfterMs: number };
  degraded: { reason: string };
}

/**
 * A small failover promoter: it watches the primary and promotes the
 * standby (`pg_promote()`) after a few failed checks in a row. It is what
 * the failover proof runs, chosen over pg_auto_failover because it runs on
 * the injected clock, needs no monitor node or extension, and is small
 * enough to read in full; in production use pg_auto_failover or Patroni,
 * which also fence the old primary.
 *
 * @example
 * const promoter = new Promoter({ primary: a.url(), standby: b.url(), intervalMs: 200, failureThreshold: 3 });
 * promoter.on("promoted", (e) => console.log("promoted after", e.detectedAfterMs, "ms"));
 * promoter.start();
 */
export class Promoter {
  readonly #events = new Events<PromoterEvents>();
  readonly #options: Required<Omit<PromoterOptions, "clock">>;
  readonly #clock: Clock;
  #failures = 0;
  #firstFailureAt: number | null = null;
  #running = false;
  #promoted = false;
  #loop: Promise<void> | null = null;

  constructor(options: PromoterOptions) {
    requireKnownOptions("Promoter", options, [
      "primary",
      "standby",
      "intervalMs",
      "failureThreshold",
      "checkTimeoutMs",
      "afterPromotion",
      "clock",
    ]);
    const intervalMs = options.intervalMs ?? 500;
    const failureThreshold = options.failureThreshold ?? 3;
    const checkTimeoutMs = options.checkTimeoutMs ?? 1000;
    requireOption(intervalMs > 0, "Promoter", "intervalMs", intervalMs, "> 0");
    requireOption(
      Number.isInteger(failureThreshold) && failureThreshold >= 1,
      "Promoter",
      "failureThreshold",
      failureThreshold,
      "an integer >= 1",
    );
    requireOption(checkTimeoutMs > 0, "Promoter", "checkTimeoutMs", checkTimeoutMs, "> 0");
    this.#options = {
      primary: options.primary,
      standby: options.standby,
      intervalMs,
      failureThreshold,
      checkTimeoutMs,
      afterPromotion: options.afterPromotion ?? "relax",
    };
    this.#clock = options.clock ?? systemClock;
  }

  /** Listens to `check`, `promoted` or `degraded`; returns the function that stops listening. */
  on<K extends keyof PromoterEvents>(type: K, listener: Listener<PromoterEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /** True once the standby has been promoted. */
  get promoted(): boolean {
    return this.#promoted;
  }

  /** Starts watching, until `stop()` or until it has promoted the standby. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#watch();
  }

  /** Stops watching and waits for the loop to end. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  async #watch(): Promise<void> {
    while (this.#running && !this.#promoted) {
      const ok = await pingPostgres(this.#options.primary, this.#options.checkTimeoutMs);
      const at = this.#clock.now();
      if (ok) {
        this.#failures = 0;
        this.#firstFailureAt = null;
      } else {
        this.#failures++;
        this.#firstFailureAt ??= at;
      }
      this.#events.emit("check", { ok, failures: this.#failures, at });
      if (this.#failures >= this.#options.failureThreshold) {
        await this.#promote();
        return;
      }
      await this.#clock.sleep(this.#options.intervalMs);
    }
  }

  async #promote(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#options.standby, connectionTimeoutMillis: 5000 });
    client.on("error", () => {});
    try {
      await client.connect();
      const result = await client.query("select pg_promote(true, 60) as done");
      if (result.rows[0]?.done !== true) {
        throw failoverError("promote", "the standby did not finish promotion within 60 s", {
          hint: "check the standby's log",
        });
      }
      if (this.#options.afterPromotion === "relax") {
        const names = await client.query("select current_setting('synchronous_standby_names') as names");
        if (String(names.rows[0]?.names ?? "") !== "") {
          await client.query("alter system set synchronous_standby_names = ''");
          await client.query("select pg_reload_conf()");
          this.#events.emit("degraded", {
            reason:
              "the promoted primary has no standby: synchronous replication is off until a new standby joins (RPO 0 no longer holds for a second failure)",
          });
        }
      }
      this.#promoted = true;
      const at = this.#clock.now();
      this.#events.emit("promoted", { at, detectedAfterMs: at - (this.#firstFailureAt ?? at) });
    } finally {
      await client.end().catch(() => {});
    }
  }
}
