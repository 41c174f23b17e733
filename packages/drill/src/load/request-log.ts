/** Why a request got no HTTP answer: the client timed out, could not connect, lost the connection, or another error. */
export type ErrorKind = "timeout" | "connect" | "reset" | "other";

const KINDS: readonly (ErrorKind | null)[] = [null, "timeout", "connect", "reset", "other"];

/** One HTTP request as the load generator saw it. */
export interface RequestRecord {
  /** The journey that sent it. */
  journey: string;
  /** The request's name within the journey (for example `search`, `book`). */
  step: string;
  /** When it was sent, epoch ms from the generator's clock. */
  startAt: number;
  /** When the answer (or the error) came, epoch ms. */
  endAt: number;
  /** The HTTP status, 0 when there was no answer. */
  status: number;
  /** Why there was no answer; null when there was one. */
  error: ErrorKind | null;
}

/**
 * Every request of a drill, stored compactly (about 20 bytes a request in
 * typed arrays, names interned) so that a long drill at a high rate keeps
 * all of them for per-second series and percentiles.
 *
 * @example
 * const log = new RequestLog();
 * log.record({ journey: "book", step: "search", startAt: 1000, endAt: 1012, status: 200, error: null });
 * [...log][0]?.endAt; // 1012
 */
export class RequestLog {
  #start = new Float64Array(1024);
  #latency = new Float32Array(1024);
  #status = new Uint16Array(1024);
  #kind = new Uint8Array(1024);
  #label = new Uint32Array(1024);
  #length = 0;
  readonly #labels: { journey: string; step: string }[] = [];
  readonly #labelIndex = new Map<string, number>();

  /** How many requests are recorded. */
  get length(): number {
    return this.#length;
  }

  /** Appends one finished request. */
  record(record: RequestRecord): void {
    if (this.#length === this.#start.length) this.#grow();
    const i = this.#length++;
    this.#start[i] = record.startAt;
    this.#latency[i] = record.endAt - record.startAt;
    this.#status[i] = record.status;
    this.#kind[i] = KINDS.indexOf(record.error);
    this.#label[i] = this.#labelOf(record.journey, record.step);
  }

  /** The i-th record, in the order they finished. */
  at(i: number): RequestRecord {
    const label = this.#labels[this.#label[i] as number] as { journey: string; step: string };
    const startAt = this.#start[i] as number;
    return {
      journey: label.journey,
      step: label.step,
      startAt,
      endAt: startAt + (this.#latency[i] as number),
      status: this.#status[i] as number,
      error: KINDS[this.#kind[i] as number] ?? null,
    };
  }

  *[Symbol.iterator](): IterableIterator<RequestRecord> {
    for (let i = 0; i < this.#length; i++) yield this.at(i);
  }

  #labelOf(journey: string, step: string): number {
    const key = `${journey}\u0000${step}`;
    let index = this.#labelIndex.get(key);
    if (index === undefined) {
      index = this.#labels.length;
      this.#labels.push({ journey, step });
      this.#labelIndex.set(key, index);
    }
    return index;
  }

  #grow(): void {
    const size = this.#start.length * 2;
    const grow = <T extends Float64Array | Float32Array | Uint16Array | Uint8Array | Uint32Array>(
      old: T,
      make: (n: number) => T,
    ): T => {
      const next = make(size);
      next.set(old as never);
      return next;
    };
    this.#start = grow(this.#start, (n) => new Float64Array(n));
    this.#latency = grow(this.#latency, (n) => new Float32Array(n));
    this.#status = grow(this.#status, (n) => new Uint16Array(n));
    this.#kind = grow(this.#kind, (n) => new Uint8Array(n));
    this.#label = grow(this.#label, (n) => new Uint32Array(n));
  }
}
