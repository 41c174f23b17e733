import pg from "pg";
import { RpoLedger } from "../measure/rpo-ledger.js";
import type { DrillSystem } from "./drill-system.js";
import type { WriteCheck } from "./workload.js";

/** What a check of the ledger against the store found, over the whole drill so far. */
export interface LedgerCheck {
  acknowledged: number;
  ambiguous: number;
  /** Acknowledged writes the store lost that no earlier check had found lost. */
  lostWrites: number;
  /** Acknowledgement time of the earliest of those, epoch ms; null when none. */
  firstLostAt: number | null;
  /** False when the store could not be read (no member up): nothing was counted lost. */
  checked: boolean;
}

/**
 * The drill's ledger of acknowledged writes (an {@link RpoLedger} for the
 * whole drill), checked against the workload's store after each scenario:
 * the ids it holds are read from the current primary (`WriteCheck`: a
 * column of a table), so a write lost by a failover shows in the scenario
 * that lost it. Without a `WriteCheck` nothing is checked (0 lost).
 *
 * @example
 * const ledger = new WriteLedger({ store: "orders-db", table: "bookings", column: "request_id", steps: ["book"] });
 * ledger.acknowledge("req-17", clock.now());
 * (await ledger.check(system)).lostWrites; // 0
 */
export class WriteLedger {
  readonly writeSteps: readonly string[];
  readonly #check: WriteCheck | undefined;
  readonly #ledger = new RpoLedger();
  readonly #ackAt = new Map<string, number>();
  readonly #lost = new Set<string>();
  readonly #ambiguous = new Set<string>();

  constructor(check: WriteCheck | undefined) {
    this.#check = check;
    this.writeSteps = check?.steps ?? [];
  }

  acknowledge(id: string, at: number): void {
    this.#ledger.acknowledge(id, at);
    this.#ackAt.set(id, at);
  }

  ambiguous(id: string): void {
    this.#ledger.ambiguous(id);
    if (!this.#ackAt.has(id)) this.#ambiguous.add(id);
  }

  /** Reads the acknowledged ids from the store and counts the newly lost ones. */
  async check(system: DrillSystem): Promise<LedgerCheck> {
    if (this.#check === undefined || this.#ledger.size === 0) {
      const r = this.#ledger.check(this.#ledger.acknowledgedIds());
      return { acknowledged: r.acknowledged, ambiguous: r.ambiguous, lostWrites: 0, firstLostAt: null, checked: true };
    }
    const present = await this.#present(system, this.#check);
    if (present === null) {
      const r = this.#ledger.check(this.#ledger.acknowledgedIds());
      return { acknowledged: r.acknowledged, ambiguous: r.ambiguous, lostWrites: 0, firstLostAt: null, checked: false };
    }
    const result = this.#ledger.check(present, Number.MAX_SAFE_INTEGER);
    let lostWrites = 0;
    let firstLostAt: number | null = null;
    for (const id of result.lost) {
      if (this.#lost.has(id)) continue;
      this.#lost.add(id);
      lostWrites++;
      const at = this.#ackAt.get(id) ?? null;
      if (at !== null) firstLostAt = firstLostAt === null ? at : Math.min(firstLostAt, at);
    }
    return { acknowledged: result.acknowledged, ambiguous: result.ambiguous, lostWrites, firstLostAt, checked: true };
  }

  /** The ids the store holds among those the client wrote; null when no member is up to ask. */
  async #present(system: DrillSystem, check: WriteCheck): Promise<string[] | null> {
    const member = system.database(check.store).find((m) => m.up);
    if (member === undefined) return null;
    const client = new pg.Client({ connectionString: member.directUrl, connectionTimeoutMillis: 5000 });
    client.on("error", () => {});
    await client.connect();
    try {
      const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
      const ids = [...this.#ledger.acknowledgedIds(), ...this.#ambiguous];
      const { rows } = await client.query<{ id: string }>(
        `select ${quote(check.column)}::text as id from ${quote(check.table)} where ${quote(check.column)}::text = any($1::text[])`,
        [ids],
      );
      return rows.map((r) => r.id);
    } finally {
      await client.end().catch(() => {});
    }
  }
}
