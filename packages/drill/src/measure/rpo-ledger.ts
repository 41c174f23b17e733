/** What {@link RpoLedger.check} found. */
export interface RpoResult {
  /** Writes the system acknowledged to the client. */
  acknowledged: number;
  /** Acknowledged writes the store no longer holds: the measured RPO, in writes. */
  lostWrites: number;
  /** Their ids (at most `maxListed`). */
  lost: string[];
  /** Writes whose outcome the client never learned (timeout, reset): not counted as lost either way. */
  ambiguous: number;
  /** Of those, how many the store holds (they did commit). */
  ambiguousPresent: number;
  /** Time of the last acknowledged write that was lost, epoch ms; null when none. */
  lastLostAt: number | null;
}

/**
 * The client's ledger of acknowledged writes, the measure of RPO: a write
 * the system acknowledged (for example a booking answered 201) is recorded
 * with its id; after recovery, the ids the store holds are compared with
 * the ledger, and every acknowledged id that is absent is a lost write.
 * Writes with an unknown outcome (timed out, connection lost) are kept
 * apart: the system never promised them.
 *
 * @example
 * const ledger = new RpoLedger();
 * ledger.acknowledge("booking-17", clock.now());
 * ledger.ambiguous("booking-18");
 * const result = ledger.check(await idsInStore()); // { lostWrites: 0, ... }
 */
export class RpoLedger {
  readonly #acknowledged = new Map<string, number>();
  readonly #ambiguous = new Set<string>();

  /** Records a write the system acknowledged at `at` (epoch ms). */
  acknowledge(id: string, at = 0): void {
    this.#acknowledged.set(id, at);
    this.#ambiguous.delete(id);
  }

  /** Records a write whose outcome is unknown to the client. */
  ambiguous(id: string): void {
    if (!this.#acknowledged.has(id)) this.#ambiguous.add(id);
  }

  /** Acknowledged writes so far. */
  get size(): number {
    return this.#acknowledged.size;
  }

  /** The acknowledged ids, for a query that fetches just these from the store. */
  acknowledgedIds(): string[] {
    return [...this.#acknowledged.keys()];
  }

  /** Compares the ledger with the ids the store holds after recovery. */
  check(present: Iterable<string>, maxListed = 100): RpoResult {
    const held = present instanceof Set ? (present as Set<string>) : new Set(present);
    const lost: string[] = [];
    let lostWrites = 0;
    let lastLostAt: number | null = null;
    for (const [id, at] of this.#acknowledged) {
      if (held.has(id)) continue;
      lostWrites++;
      if (lost.length < maxListed) lost.push(id);
      lastLostAt = lastLostAt === null ? at : Math.max(lastLostAt, at);
    }
    let ambiguousPresent = 0;
    for (const id of this.#ambiguous) if (held.has(id)) ambiguousPresent++;
    return {
      acknowledged: this.#acknowledged.size,
      lostWrites,
      lost,
      ambiguous: this.#ambiguous.size,
      ambiguousPresent,
      lastLostAt,
    };
  }
}
