import type { Random } from "@nines/core";
import type { PlacedFactor } from "./component-model.js";
import type { FailureDomains } from "./failure-domains.js";

export interface SampledResult {
  /** Estimated P(every factor up), the factors' constants not included. */
  availability: number;
  /** 95% confidence interval of the estimate. */
  ci95: [number, number];
  samples: number;
  /** Distinct joint zone states met while sampling. */
  distinctStates: number;
}

/**
 * Monte Carlo estimate of P(every placed factor up): draws the up/down
 * state of every region and zone the factors use, `samples` times, and
 * averages the exact conditional availability of the factors given each
 * drawn state (conditional Monte Carlo: instances are integrated exactly by
 * the binomial tables, only the failure domains are sampled, which keeps
 * the variance far below drawing every instance). The 95% interval is mean
 * +- 1.96 standard errors.
 *
 * Two tricks keep a million samples over 50 zones well under a second:
 * failures are rare, so the gap to the next failed region or zone is drawn
 * from the geometric distribution (one random number per failure, not per
 * domain and sample; the same Bernoulli draws in law); and the figure of
 * each distinct state is computed once and cached (most samples are "all
 * up").
 *
 * @example
 * sampleAvailability(factors, domains, 1_000_000, new SeededRandom(1)).ci95;
 */
export function sampleAvailability(
  factors: readonly PlacedFactor[],
  domains: FailureDomains,
  samples: number,
  random: Random,
): SampledResult {
  const zones = [...new Set(factors.flatMap((f) => f.zones))].sort((a, b) => a - b);
  const local = new Map(zones.map((z, i) => [z, i]));
  const regionIds = [...new Set(zones.map((z) => domains.zoneRegion[z]!))].sort((a, b) => a - b);
  const regionLocal = new Map(regionIds.map((r, i) => [r, i]));
  const zonesOfRegion: number[][] = regionIds.map(() => []);
  zones.forEach((z, i) => {
    zonesOfRegion[regionLocal.get(domains.zoneRegion[z]!)!]!.push(i);
  });
  const factorZones = factors.map((f) => Int32Array.from(f.zones, (z) => local.get(z)!));
  const tables = factors.map((f) => f.table);
  const nR = regionIds.length;
  const nZ = zones.length;

  const downFlags = new Uint8Array(nZ);
  const downList = new Int32Array(nZ);
  let downCount = 0;
  // Every factor's figure with all its zones up, and the product of them:
  // a state's figure is that product corrected only for the factors that
  // touch a down zone (most factors are untouched by one or two zone losses).
  const full = Float64Array.from(factors, (f) => f.table[f.zones.length]!);
  let allUpProduct = 1;
  for (const v of full) allUpProduct *= v;
  const factorsOfZone: number[][] = zones.map(() => []);
  factorZones.forEach((fz, j) => {
    for (const z of fz) factorsOfZone[z]!.push(j);
  });
  const stamp = new Int32Array(factors.length);
  let stampId = 0;
  const unavailability = (): number => {
    // A factor down with every zone up is down in every state.
    if (allUpProduct === 0) return 1;
    stampId++;
    let up = allUpProduct;
    for (let d = 0; d < downCount; d++) {
      const touched = factorsOfZone[downList[d]!]!;
      for (let t = 0; t < touched.length; t++) {
        const j = touched[t]!;
        if (stamp[j] === stampId) continue;
        stamp[j] = stampId;
        const fz = factorZones[j]!;
        let ups = 0;
        for (let i = 0; i < fz.length; i++) if (downFlags[fz[i]!] === 0) ups++;
        up *= tables[j]![ups]! / full[j]!;
      }
    }
    return 1 - up;
  };
  const allUp = unavailability();

  const gap = (p: number): number => {
    if (p <= 0) return Number.POSITIVE_INFINITY;
    if (p >= 1) return 0;
    return Math.floor(Math.log(1 - random.next()) / Math.log1p(-p));
  };
  const pRegion = 1 - domains.region;
  const pZone = 1 - domains.zone;
  // Trial indices run over (sample, domain) pairs: sample s owns regions
  // [s nR, (s + 1) nR) and zones [s nZ, (s + 1) nZ). Only samples with a
  // failure are visited; the others are "all up".
  let nextRegion = gap(pRegion);
  let nextZone = gap(pZone);
  // A state's key: the set of down zones, as a sum of powers of two while it
  // fits a double exactly (up to 52 zones), else as a string.
  const numericKey = nZ <= 52;
  const cache = new Map<number | string, number>();
  let key = 0;
  // Declared once, outside the loop: a closure per sample costs more than the sampling.
  const mark = (z: number): void => {
    if (downFlags[z] === 1) return;
    downFlags[z] = 1;
    downList[downCount++] = z;
    if (numericKey) key += 2 ** z;
  };
  let failing = 0;
  let sum = 0;
  let sumSq = 0;
  for (;;) {
    const s = Math.min(Math.floor(nextRegion / nR), Math.floor(nextZone / nZ));
    if (!(s < samples)) break;
    failing++;
    downCount = 0;
    key = 0;
    const endR = (s + 1) * nR;
    const endZ = (s + 1) * nZ;
    while (nextRegion < endR) {
      const lost = zonesOfRegion[nextRegion - s * nR]!;
      for (let i = 0; i < lost.length; i++) mark(lost[i]!);
      nextRegion += 1 + gap(pRegion);
    }
    while (nextZone < endZ) {
      mark(nextZone - s * nZ);
      nextZone += 1 + gap(pZone);
    }
    const cacheKey = numericKey
      ? key
      : Array.from(downList.subarray(0, downCount))
          .sort((a, b) => a - b)
          .join(",");
    let d = cache.get(cacheKey);
    if (d === undefined) {
      d = unavailability();
      cache.set(cacheKey, d);
    }
    for (let i = 0; i < downCount; i++) downFlags[downList[i]!] = 0;
    sum += d;
    sumSq += d * d;
  }
  const allUpCount = samples - failing;
  sum += allUpCount * allUp;
  sumSq += allUpCount * allUp * allUp;
  const mean = sum / samples;
  const variance = samples > 1 ? Math.max(0, (sumSq - samples * mean * mean) / (samples - 1)) : 0;
  const half = 1.96 * Math.sqrt(variance / samples);
  return {
    availability: 1 - mean,
    ci95: [Math.max(0, 1 - mean - half), Math.min(1, 1 - mean + half)],
    samples,
    distinctStates: cache.size + (allUpCount > 0 ? 1 : 0),
  };
}
