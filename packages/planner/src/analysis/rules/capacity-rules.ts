import type { Service } from "../../model.js";
import type { Finding } from "../../result.js";
import { finding } from "./findings.js";
import { decimals3, plural } from "./format.js";

/**
 * Distinct zones of a service (the model keeps them distinct; this guards hand-built models).
 *
 * @example
 * zoneCount(web); // 4
 */
export function zoneCount(service: Service): number {
  return new Set(service.zones).size;
}

/**
 * `n-plus-2`: remove the two units of deployment with the most capacity
 * (instances, or whole zones with `unit: zone`); an error when the capacity
 * left is below the load. Equality passes.
 *
 * @example
 * nPlusTwo(service); // [] or [{ rule: "n-plus-2", ... }]
 */
export function nPlusTwo(service: Service): Finding[] {
  const zones = zoneCount(service);
  const { instances, capacity, load } = service;
  if (service.unit === "zone") {
    const left = Math.max(0, zones - 2) * instances * capacity;
    if (left >= load) return [];
    const targetZones = Math.max(zones, 3);
    const perZone = Math.max(instances, Math.ceil(load / ((targetZones - 2) * capacity)));
    const change =
      targetZones > zones
        ? `run it in ${targetZones} zones with ${plural(perZone, "instance")} each`
        : `run ${plural(perZone, "instance")} per zone`;
    return [
      finding(
        "n-plus-2",
        "error",
        service.name,
        `${service.name}: with two zones out (one for an upgrade, one failed) ${left} req/s remain for a load of ${load} req/s: ${change}`,
        { remaining: left, load },
      ),
    ];
  }
  const total = zones * instances;
  const left = Math.max(0, total - 2) * capacity;
  if (left >= load) return [];
  const needed = Math.ceil(load / capacity) + 2;
  const perZone = Math.ceil(needed / zones);
  const add = perZone - instances;
  return [
    finding(
      "n-plus-2",
      "error",
      service.name,
      `${service.name}: with two instances out (one for an upgrade, one failed) ${left} req/s remain for a load of ${load} req/s; N+2 needs ${plural(needed, "instance")}, it has ${total}: ` +
        (add === 1 ? "add one instance per zone" : `run ${plural(perZone, "instance")} per zone`),
      { remaining: left, load },
    ),
  ];
}

/**
 * `zone-loss-overload`: for services in two or more zones, the capacity
 * left outside each zone against the load; the worst load / remaining ratio
 * (three decimals) is in the message and the `ratio` field.
 *
 * @example
 * // 2 zones x 1 instance x 1000 req/s, load 1200: ratio 1200 / 1000 = 1.2
 * zoneLossOverload(service)[0]?.ratio; // 1.2
 */
export function zoneLossOverload(service: Service): Finding[] {
  const zones = [...new Set(service.zones)];
  if (zones.length < 2) return [];
  let worst = Number.POSITIVE_INFINITY;
  let worstZone = zones[0]!;
  for (const zone of zones) {
    // The model has the same instance count in every zone; count per zone for clarity.
    const outside = zones.filter((z) => z !== zone).length * service.instances;
    const remaining = outside * service.capacity;
    if (remaining < worst) {
      worst = remaining;
      worstZone = zone;
    }
  }
  if (worst >= service.load) return [];
  const ratio = decimals3(service.load / worst);
  const perZone = Math.ceil(service.load / ((zones.length - 1) * service.capacity));
  const add = perZone - service.instances;
  return [
    finding(
      "zone-loss-overload",
      "error",
      service.name,
      `${service.name}: losing zone ${worstZone} leaves ${worst} req/s for a load of ${service.load} req/s (load / remaining = ${ratio}), so the surviving instances overload and fail in turn: ` +
        (add === 1 ? "add one instance per zone" : `run ${plural(perZone, "instance")} per zone`),
      { ratio, zone: worstZone, remaining: worst, load: service.load },
    ),
  ];
}

/**
 * `no-autoscale` (info): a service without autoscaling.
 *
 * @example
 * noAutoscale(inventory)[0]?.severity; // "info"
 */
export function noAutoscale(service: Service): Finding[] {
  if (service.autoscale !== null) return [];
  const k = Math.max(1, Math.ceil(service.load / service.capacity));
  return [
    finding(
      "no-autoscale",
      "info",
      service.name,
      `${service.name} does not autoscale: add autoscale (for example { metric: requests-per-second, target: ${decimals3(service.capacity * 0.7)}, max: ${2 * (k + 2)} }) so that load above plan adds instances`,
    ),
  ];
}
