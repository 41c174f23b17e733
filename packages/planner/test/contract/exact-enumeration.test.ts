// The exact model checked against an independent brute force over every
// region and zone state, on small random topologies (seeded): services
// (k of n over zones) and placed stores (with or without a replica) on one
// journey, sharing zones and regions.
import { describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { atLeastK, close, journey, OK_SERVICE, plan } from "./helpers.js";

const REGIONS: Record<string, string[]> = { r1: ["a", "b", "c"], r2: ["d", "e"] };
const ZONES = Object.values(REGIONS).flat();
const REGION_OF = new Map(Object.entries(REGIONS).flatMap(([r, zs]) => zs.map((z) => [z, r] as const)));

interface Placed {
  name: string;
  zones: string[];
  /** up given the up zones among `zones` */
  up: (upZones: string[]) => number;
  yaml: string;
}

function topology(rnd: SeededRandom, Rf: number, Zf: number, If: number): { yaml: string; brute: number } {
  const pick = (n: number) => {
    const pool = [...ZONES];
    const out: string[] = [];
    while (out.length < n) out.push(pool.splice(rnd.int(0, pool.length - 1), 1)[0]!);
    return out;
  };
  const parts: Placed[] = [];
  const services = 1 + rnd.int(0, 2);
  for (let i = 0; i < services; i++) {
    const zones = pick(1 + rnd.int(0, 3));
    const instances = 1 + rnd.int(0, 2);
    const capacity = 100;
    const load = rnd.int(0, zones.length * instances * capacity);
    const k = Math.max(1, Math.ceil(load / capacity));
    parts.push({
      name: `s${i}`,
      zones,
      up: (upZones) => atLeastK(instances * upZones.length, k, If),
      yaml: `{ zones: [${zones.join(", ")}], instances: ${instances}, capacity: ${capacity}, load: ${load}, ${OK_SERVICE}`,
    });
  }
  const stores = rnd.int(0, 2);
  for (let i = 0; i < stores; i++) {
    const zones = pick(1 + rnd.int(0, 1));
    const replica = zones[1] ? `, replica: { zone: ${zones[1]}, sync: true, failover: 1m }` : "";
    parts.push({
      name: `db${i}`,
      zones,
      up: (upZones) => 1 - (1 - If) ** upZones.length,
      yaml: `{ engine: postgres, zone: ${zones[0]}${replica} }`,
    });
  }
  const [entry, ...callees] = parts.filter((p) => p.name.startsWith("s"));
  const storeParts = parts.filter((p) => p.name.startsWith("db"));
  const calls = [...callees, ...storeParts].map((p) => `${p.name}: {}`).join(", ");
  const yaml = `name: Random
platform:
  regions: { r1: [a, b, c], r2: [d, e] }
  availability: { region: ${Rf * 100}%, zone: ${Zf * 100}%, instance: ${If * 100}% }
services:
  ${entry!.name}: ${entry!.yaml}, calls: { ${calls} } }
${callees.map((p) => `  ${p.name}: ${p.yaml} }`).join("\n")}
${storeParts.length > 0 ? `stores:\n${storeParts.map((p) => `  ${p.name}: ${p.yaml}`).join("\n")}` : ""}
journeys:
  j: { entry: ${entry!.name} }
`;
  // Brute force: every up/down state of both regions and all five zones.
  let brute = 0;
  for (let mask = 0; mask < 1 << (2 + ZONES.length); mask++) {
    const regionUp = { r1: (mask & 1) !== 0, r2: (mask & 2) !== 0 };
    let p = (regionUp.r1 ? Rf : 1 - Rf) * (regionUp.r2 ? Rf : 1 - Rf);
    const up: string[] = [];
    let consistent = true;
    ZONES.forEach((z, i) => {
      const zoneUp = (mask & (4 << i)) !== 0;
      const inUp = regionUp[REGION_OF.get(z) as "r1" | "r2"];
      if (!inUp && zoneUp) consistent = false;
      if (inUp) p *= zoneUp ? Zf : 1 - Zf;
      if (zoneUp) up.push(z);
    });
    if (!consistent) continue;
    brute += parts.reduce((acc, part) => acc * part.up(part.zones.filter((z) => up.includes(z))), p);
  }
  return { yaml, brute };
}

describe("contract: exact availability = brute force over zone states (random topologies)", () => {
  it("40 seeded topologies with a coarse failure model (so differences show)", () => {
    const rnd = new SeededRandom(20261129);
    for (let n = 0; n < 40; n++) {
      const { yaml, brute } = topology(rnd, 0.9, 0.8, 0.7);
      try {
        close(journey(plan(yaml), "j").availability, brute, 1e-12);
      } catch (error) {
        throw new Error(`${String(error)}\n${yaml}`);
      }
    }
  });
});
