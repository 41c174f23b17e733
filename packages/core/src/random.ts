/**
 * A source of uniform random numbers in [0, 1). Jitter, sampling and
 * throttling take randomness from an injected `Random` so that tests and the
 * simulator can replay a run exactly from its seed.
 */
export interface Random {
  /** A uniform number in [0, 1). */
  next(): number;
}

/** `Math.random()`, for production use. */
export const systemRandom: Random = { next: () => Math.random() };

/**
 * A fast, seeded generator (sfc32 seeded through splitmix32). The same seed
 * gives the same sequence on every platform.
 *
 * @example
 * const a = new SeededRandom(42);
 * const b = new SeededRandom(42);
 * a.next() === b.next(); // true
 */
export class SeededRandom implements Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed = 1) {
    let s = seed >>> 0;
    const split = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.#a = split();
    this.#b = split();
    this.#c = split();
    this.#d = split();
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.#c = (r + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

/** A uniform number in [min, max). */
export function uniform(random: Random, min: number, max: number): number {
  return min + random.next() * (max - min);
}
