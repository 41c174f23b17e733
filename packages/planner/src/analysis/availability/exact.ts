import { PLANNER_ERRORS, PlannerError } from "../../errors.js";
import type { PlacedFactor } from "./component-model.js";
import { type FailureDomains, popcount } from "./failure-domains.js";

/** Largest number of zones one enumeration may hold (2^30 states is already far beyond a useful run). */
const MAX_ENUMERATED_ZONES = 30;

export interface ExactResult {
  /** P(every factor up), the factors' constants not included. */
  availability: number;
  /** Joint zone states summed over (sum over independent groups); 0 for count-distribution groups. */
  states: number;
  /** Terminal states actually evaluated: a subtree where a component is already down counts once. */
  visited: number;
}

/**
 * Exact probability that every placed factor is up, summing over the joint
 * up/down states of the regions and zones the factors use (docs/planner-model.md, "The
 * availability model"). Regions that no factor links are independent, so
 * the factors are split into groups of linked regions and each group is
 * computed alone; the answer is the product. A group holding one factor
 * needs only the distribution of its up-zone count, a convolution over its
 * regions; other groups enumerate every zone state of their regions (a
 * region's zones are all down when it is down), region by region.
 *
 * @example
 * // one service, 2 instances in one zone, k = 1: R * Z * (1 - (1 - I)^2)
 * exactAvailability([{ zones: [0], table: Float64Array.of(0, 1 - 0.005 ** 2) }],
 *   { region: 0.9999, zone: 0.999, zoneRegion: [0] });
 */
export function exactAvailability(factors: readonly PlacedFactor[], domains: FailureDomains): ExactResult {
  let availability = 1;
  let states = 0;
  let visited = 0;
  for (const group of independentGroups(factors, domains)) {
    if (group.length === 1) {
      availability *= countDistributionAvailability(group[0]!, domains);
    } else {
      const r = enumerate(group, domains);
      availability *= r.availability;
      states += r.states;
      visited += r.visited;
    }
  }
  return { availability, states, visited };
}

/** Splits factors into groups whose regions are linked (union-find over regions). */
function independentGroups(factors: readonly PlacedFactor[], domains: FailureDomains): PlacedFactor[][] {
  const parent = new Map<number, number>();
  const find = (r: number): number => {
    let x = r;
    while (parent.get(x) !== x) x = parent.get(x)!;
    parent.set(r, x);
    return x;
  };
  for (const f of factors) {
    const regions = f.zones.map((z) => domains.zoneRegion[z]!);
    for (const r of regions) if (!parent.has(r)) parent.set(r, r);
    for (const r of regions.slice(1)) parent.set(find(r), find(regions[0]!));
  }
  const groups = new Map<number, PlacedFactor[]>();
  for (const f of factors) {
    if (f.zones.length === 0) {
      // A placed factor with no zone is down for good: table[0].
      groups.set(-1 - groups.size, [f]);
      continue;
    }
    const root = find(domains.zoneRegion[f.zones[0]!]!);
    const list = groups.get(root) ?? [];
    list.push(f);
    groups.set(root, list);
  }
  return [...groups.values()];
}

/** Sum over m of P(m of the factor's zones up) x table[m], by convolving each region's count distribution. */
function countDistributionAvailability(factor: PlacedFactor, domains: FailureDomains): number {
  const perRegion = new Map<number, number>();
  for (const z of factor.zones) {
    const r = domains.zoneRegion[z]!;
    perRegion.set(r, (perRegion.get(r) ?? 0) + 1);
  }
  let dist = [1];
  for (const n of perRegion.values()) {
    const local = new Array<number>(n + 1).fill(0);
    let binom = 1;
    for (let j = 0; j <= n; j++) {
      if (j > 0) binom = (binom * (n - j + 1)) / j;
      local[j] = domains.region * binom * domains.zone ** j * (1 - domains.zone) ** (n - j);
    }
    local[0] = local[0]! + (1 - domains.region);
    const next = new Array<number>(dist.length + n).fill(0);
    for (let a = 0; a < dist.length; a++)
      for (let b = 0; b <= n; b++) next[a + b] = next[a + b]! + dist[a]! * local[b]!;
    dist = next;
  }
  // Sum the unavailable part so that figures near 1 keep their nines.
  let down = 0;
  for (let m = 0; m < dist.length; m++) down += dist[m]! * (1 - factor.table[m]!);
  return 1 - down;
}

/** Enumerates every zone state of a group of linked factors. */
function enumerate(factors: readonly PlacedFactor[], domains: FailureDomains): ExactResult {
  // Local bit per zone, grouped by region so that a region's zones are contiguous bits.
  const zoneSet = [...new Set(factors.flatMap((f) => f.zones))].sort(
    (a, b) => domains.zoneRegion[a]! - domains.zoneRegion[b]! || a - b,
  );
  if (zoneSet.length > MAX_ENUMERATED_ZONES) {
    throw new PlannerError(
      PLANNER_ERRORS.tooLarge,
      `planner: exact enumeration over ${zoneSet.length} zones is too large (at most ${MAX_ENUMERATED_ZONES})`,
      { hint: "let the planner sample (Monte Carlo) when more than 20 zones are used" },
    );
  }
  const bit = new Map(zoneSet.map((z, i) => [z, i]));
  const masks = Int32Array.from(factors, (f) => f.zones.reduce((m, z) => m | (1 << bit.get(z)!), 0));
  const tables = factors.map((f) => f.table);
  // Per region: every up/down pattern of its zones with its probability;
  // the all-down pattern also holds the region being down.
  const choiceMasks: Int32Array[] = [];
  const choiceProbs: Float64Array[] = [];
  let i = 0;
  while (i < zoneSet.length) {
    const region = domains.zoneRegion[zoneSet[i]!]!;
    let n = 0;
    while (i + n < zoneSet.length && domains.zoneRegion[zoneSet[i + n]!] === region) n++;
    const count = 1 << n;
    const cm = new Int32Array(count);
    const cp = new Float64Array(count);
    for (let s = 0; s < count; s++) {
      const up = popcount(s);
      cm[s] = s << i;
      cp[s] = domains.region * domains.zone ** up * (1 - domains.zone) ** (n - up) + (s === 0 ? 1 - domains.region : 0);
    }
    choiceMasks.push(cm);
    choiceProbs.push(cp);
    i += n;
  }
  // A factor is multiplied in at the region where its last zone is chosen, so
  // that a factor within early regions is evaluated once per partial state,
  // not once per full state, and a zero (a component down) prunes the subtree.
  const regionOfBit: number[] = [];
  choiceMasks.forEach((cm, r) => {
    const bits = Math.log2(cm.length);
    for (let b = 0; b < bits; b++) regionOfBit.push(r);
  });
  const finalAt: number[][] = choiceMasks.map(() => []);
  masks.forEach((mask, j) => {
    finalAt[mask === 0 ? 0 : regionOfBit[31 - Math.clz32(mask)]!]!.push(j);
  });
  const last = choiceMasks.length - 1;
  let down = 0;
  let visited = 0;
  const walk = (r: number, mask: number, p: number, up: number): void => {
    const cm = choiceMasks[r]!;
    const cp = choiceProbs[r]!;
    const final = finalAt[r]!;
    for (let s = 0; s < cm.length; s++) {
      const m = mask | cm[s]!;
      let u = up;
      for (let i = 0; i < final.length; i++) {
        const j = final[i]!;
        u *= tables[j]![popcount(m & masks[j]!)]!;
      }
      const q = p * cp[s]!;
      if (r === last || u === 0) {
        down += q * (1 - u);
        visited++;
      } else {
        walk(r + 1, m, q, u);
      }
    }
  };
  walk(0, 0, 1, 1);
  return { availability: 1 - down, states: 2 ** zoneSet.length, visited };
}
