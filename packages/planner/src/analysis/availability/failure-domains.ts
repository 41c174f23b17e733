/**
 * The failure model of docs/planner-model.md: each region up with `region`, each zone up
 * with `zone` given its region is up, and the region of every zone (by
 * global zone index, see `Topology.zones`).
 */
export interface FailureDomains {
  region: number;
  zone: number;
  /** Region index of each global zone index. */
  zoneRegion: readonly number[];
}

/**
 * Bits set in a 32-bit integer (the up zones of a state mask).
 *
 * @example
 * popcount(0b1011); // 3
 */
export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
