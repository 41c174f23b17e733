import { type Clock, requireKnownOptions, requireOption, systemClock } from "@nines/core";

/**
 * Why an entry left a {@link KeyedPolicies} registry.
 *
 * @example
 * keyedPolicies({ create, onEvict: (key, _policies, reason: EvictionReason) => log.info(`${key} left: ${reason}`) });
 */
export type EvictionReason = "size" | "idle" | "deleted";

/**
 * Options of {@link keyedPolicies}.
 *
 * @example
 * const options: KeyedPoliciesOptions<CircuitBreaker> = { create: (host) => circuitBreaker({ name: host, window }), maxSize: 100 };
 */
export interface KeyedPoliciesOptions<P> {
  /** Builds the policies of a key the first time it is used (for example a breaker and a budget per host). */
  create: (key: string) => P;
  /** At most this many keys (default 1000); the least recently used key leaves first. */
  maxSize?: number;
  /** A key unused for this many ms or more (`>=`) leaves (default Infinity: never). */
  idleMs?: number;
  /** Told about every eviction (for example to dispose of timers or log an open breaker's loss). */
  onEvict?: (key: string, policies: P, reason: EvictionReason) => void;
  /** For idle eviction (default the system clock). */
  clock?: Clock;
}

const KNOWN_OPTIONS = ["create", "maxSize", "idleMs", "onEvict", "clock"];

interface Entry<P> {
  readonly policies: P;
  lastUsed: number;
}

/**
 * A bounded registry that gives each key (each host, tenant, shard) its own
 * policies, built on first use by a factory: one host's failures open only
 * that host's breaker and spend only that host's budget. Bounded two ways:
 * `maxSize` (least recently used first) and `idleMs` (keys not used for that
 * long). Idle keys are removed lazily, on `get` and `sweep`, oldest first,
 * so each call costs O(1) amortised and no timer runs. A key evicted and used
 * again gets fresh policies (an open breaker is forgotten: size the registry
 * for the keys you expect).
 *
 * @example
 * const perHost = keyedPolicies({
 *   create: () => ({ breaker: circuitBreaker({ window: { kind: "consecutive", failureThreshold: 5 } }), budget: retryBudget() }),
 *   maxSize: 500,
 *   idleMs: 10 * 60_000,
 * });
 * const { breaker } = perHost.get(new URL(url).host);
 * await breaker.execute(({ signal }) => fetch(url, { signal }));
 */
export class KeyedPolicies<P> {
  readonly maxSize: number;
  readonly idleMs: number;
  readonly #create: (key: string) => P;
  readonly #onEvict: ((key: string, policies: P, reason: EvictionReason) => void) | undefined;
  readonly #clock: Clock;
  /** Map order is recency order: the first entry is the least recently used. */
  readonly #entries = new Map<string, Entry<P>>();

  constructor(options: KeyedPoliciesOptions<P>) {
    requireOption(typeof options === "object" && options !== null, "keyedPolicies", "options", options, "an object");
    requireKnownOptions("keyedPolicies", options, KNOWN_OPTIONS);
    requireOption(typeof options.create === "function", "keyedPolicies", "create", options.create, "a function");
    requireOption(
      options.onEvict === undefined || typeof options.onEvict === "function",
      "keyedPolicies",
      "onEvict",
      options.onEvict,
      "a function",
    );
    this.maxSize = options.maxSize ?? 1000;
    this.idleMs = options.idleMs ?? Number.POSITIVE_INFINITY;
    requireOption(
      Number.isInteger(this.maxSize) && this.maxSize >= 1,
      "keyedPolicies",
      "maxSize",
      this.maxSize,
      "an integer >= 1",
    );
    requireOption(
      typeof this.idleMs === "number" && this.idleMs > 0,
      "keyedPolicies",
      "idleMs",
      this.idleMs,
      "a number > 0 (Infinity: never)",
    );
    this.#create = options.create;
    this.#onEvict = options.onEvict;
    this.#clock = options.clock ?? systemClock;
  }

  /** The key's policies, created on first use; marks the key as used now. */
  get(key: string): P {
    const now = this.#clock.now();
    this.#evictIdle(now);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.lastUsed = now;
      // Move to the back: most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return entry.policies;
    }
    const policies = this.#create(key);
    if (this.#entries.size >= this.maxSize) {
      const oldest = this.#entries.keys().next().value as string;
      this.#evict(oldest, "size");
    }
    this.#entries.set(key, { policies, lastUsed: now });
    return policies;
  }

  /** The key's policies if present, without creating them or marking them used. */
  peek(key: string): P | undefined {
    return this.#entries.get(key)?.policies;
  }

  /** Removes a key now; true when it was there. */
  delete(key: string): boolean {
    if (!this.#entries.has(key)) return false;
    this.#evict(key, "deleted");
    return true;
  }

  /** Removes the keys idle for `idleMs` or more; returns how many left. */
  sweep(): number {
    return this.#evictIdle(this.#clock.now());
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The keys, least recently used first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  #evictIdle(now: number): number {
    if (this.idleMs === Number.POSITIVE_INFINITY) return 0;
    let evicted = 0;
    for (const [key, entry] of this.#entries) {
      if (now - entry.lastUsed < this.idleMs) break;
      this.#evict(key, "idle");
      evicted++;
    }
    return evicted;
  }

  #evict(key: string, reason: EvictionReason): void {
    const entry = this.#entries.get(key) as Entry<P>;
    this.#entries.delete(key);
    this.#onEvict?.(key, entry.policies, reason);
  }
}

/**
 * Builds a {@link KeyedPolicies} registry, validating the options.
 *
 * @example
 * const breakers = keyedPolicies({ create: (host) => circuitBreaker({ name: host, window }), maxSize: 100 });
 */
export function keyedPolicies<P>(options: KeyedPoliciesOptions<P>): KeyedPolicies<P> {
  return new KeyedPolicies(options);
}
