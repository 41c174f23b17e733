import { suggest } from "./closest-name.js";
import type { Declared } from "./declared.js";
import { entriesOf, mapping, type Problems, type Raw, text } from "./problem.js";
import type { PathSegment } from "./source-map.js";
import { parsePercent } from "./values.js";

/**
 * Checks every service's references: declared zones (once each), callees
 * that are declared services or stores, the standby's region and the
 * autoscale target for its metric.
 */
export function checkServices(raw: Raw, declared: Declared, problems: Problems): void {
  for (const [name, value] of entriesOf(raw["services"])) {
    const service = mapping(value);
    if (!service) continue;
    const base = ["services", name];
    const zones = Array.isArray(service["zones"]) ? service["zones"] : [];
    const seen = new Set<string>();
    zones.forEach((zone, i) => {
      const z = text(zone);
      if (z === undefined) return;
      checkZone(z, [...base, "zones", i], declared, problems);
      if (seen.has(z)) problems.add([...base, "zones", i], `zone "${z}" is listed twice`, "list each zone once");
      seen.add(z);
    });
    for (const [callee] of entriesOf(service["calls"])) {
      const path = [...base, "calls", callee];
      if (declared.services.includes(callee) || declared.stores.includes(callee)) continue;
      if (declared.edge.includes(callee)) {
        problems.add(
          path,
          `service "${name}" calls "${callee}", an edge component`,
          "services call services and stores; the edge is named by a journey's via",
          "key",
        );
        continue;
      }
      problems.add(
        path,
        `service "${name}" calls "${callee}", which is not a declared service or store`,
        suggest(callee, [...declared.services, ...declared.stores], "declared services and stores"),
        "key",
      );
    }
    const regions = new Set(zones.map((z) => declared.zoneRegion.get(String(z))).filter((r) => r !== undefined));
    checkStandby(service["standby"], base, regions, declared, problems);
    checkAutoscale(mapping(service["autoscale"]), [...base, "autoscale"], problems);
  }
}

/** Reports a zone that is not declared in `platform.regions`, with the closest declared one. */
export function checkZone(zone: string, path: PathSegment[], declared: Declared, problems: Problems): void {
  if (declared.zoneRegion.has(zone)) return;
  problems.add(
    path,
    `zone "${zone}" is not declared in platform.regions`,
    suggest(zone, declared.zones, "declared zones"),
  );
}

/** A standby's region must be declared and other than the regions the component is in. */
export function checkStandby(
  value: unknown,
  base: PathSegment[],
  ownRegions: Set<string>,
  declared: Declared,
  problems: Problems,
): void {
  const standby = mapping(value);
  const region = text(standby?.["region"]);
  if (!standby || region === undefined) return;
  const path = [...base, "standby", "region"];
  if (!declared.regions.includes(region)) {
    problems.add(
      path,
      `standby region "${region}" is not declared in platform.regions`,
      suggest(region, declared.regions, "declared regions"),
    );
  } else if (ownRegions.has(region)) {
    const others = declared.regions.filter((r) => !ownRegions.has(r));
    problems.add(
      path,
      `the standby is in "${region}", a region the component itself runs in`,
      others.length > 0
        ? `put the standby in another region: ${others.join(", ")}`
        : "declare a second region for the standby",
    );
  }
  if (standby["kind"] === "cold" && standby["provision"] === undefined) {
    problems.add(
      [...base, "standby"],
      "a cold standby needs provision, the time to bring it up",
      "add provision: DURATION (for example 30m)",
      "key",
    );
  }
}

function checkAutoscale(autoscale: Raw | undefined, path: PathSegment[], problems: Problems): void {
  if (!autoscale) return;
  const target = autoscale["target"];
  if (target !== undefined && (typeof target === "number" || typeof target === "string")) {
    if (autoscale["metric"] === "requests-per-second") {
      if (typeof target !== "number" || !(target > 0)) {
        problems.add(
          [...path, "target"],
          `autoscale target ${JSON.stringify(target)} must be a rate above 0 for requests-per-second`,
          "write the requests per second one instance should take, for example 350",
        );
      }
    } else if (autoscale["metric"] === "cpu" || autoscale["metric"] === "memory") {
      const result = parsePercent(target);
      if (!result.ok) problems.add([...path, "target"], `autoscale target: ${result.message}`, result.hint);
    }
  }
  const { min, max } = autoscale;
  if (typeof min === "number" && typeof max === "number" && min > max) {
    problems.add([...path, "min"], `autoscale min ${min} is above max ${max}`, "set min <= max");
  }
}

/**
 * Finds cycles in `calls` between services, optional calls included, and
 * reports each once, at the call that closes it, as `a -> b -> a`.
 */
export function checkCycles(raw: Raw, problems: Problems): void {
  const calls = new Map<string, string[]>();
  for (const [name, value] of entriesOf(raw["services"])) {
    calls.set(
      name,
      entriesOf(mapping(value)?.["calls"]).map(([callee]) => callee),
    );
  }
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (name: string): void => {
    state.set(name, "active");
    stack.push(name);
    for (const callee of calls.get(name) ?? []) {
      if (!calls.has(callee)) continue;
      const s = state.get(callee);
      if (s === "active") {
        const cycle = [...stack.slice(stack.indexOf(callee)), callee];
        const key = [...cycle.slice(0, -1)].sort().join("\n");
        if (reported.has(key)) continue;
        reported.add(key);
        problems.add(
          ["services", name, "calls", callee],
          `calls form a cycle: ${cycle.join(" -> ")}`,
          "services must call each other without cycles (optional calls included); remove one of these calls",
          "key",
        );
      } else if (s === undefined) {
        visit(callee);
      }
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const name of calls.keys()) if (!state.has(name)) visit(name);
}

/** A journey enters through an edge component (`via`) at a service (`entry`). */
export function checkJourneys(raw: Raw, declared: Declared, problems: Problems): void {
  for (const [name, value] of entriesOf(raw["journeys"])) {
    const journey = mapping(value);
    if (!journey) continue;
    const via = text(journey["via"]);
    if (via !== undefined && !declared.edge.includes(via)) {
      const what = declared.services.includes(via) ? "a service" : declared.stores.includes(via) ? "a store" : null;
      problems.add(
        ["journeys", name, "via"],
        what
          ? `journey "${name}" goes via "${via}", which is ${what}, not an edge component`
          : `journey "${name}" goes via "${via}", which is not a declared edge component`,
        what
          ? `via names an edge component: ${declared.edge.join(", ") || "(none declared)"}; the service goes in entry`
          : suggest(via, declared.edge, "declared edge components"),
      );
    }
    const entry = text(journey["entry"]);
    if (entry !== undefined && !declared.services.includes(entry)) {
      problems.add(
        ["journeys", name, "entry"],
        `journey "${name}" enters at "${entry}", which is not a declared service`,
        suggest(entry, declared.services, "declared services"),
      );
    }
  }
}

/** A scenario names one declared store or service, and a kind that applies to it. */
export function checkDisasters(raw: Raw, declared: Declared, problems: Problems): void {
  const list = Array.isArray(raw["disasters"]) ? raw["disasters"] : [];
  list.forEach((value, i) => {
    const disaster = mapping(value);
    if (!disaster) return;
    const base = ["disasters", i];
    const store = text(disaster["store"]);
    const service = text(disaster["service"]);
    if (store !== undefined && service !== undefined) {
      problems.add(
        [...base, "service"],
        "a scenario names either a store or a service, not both",
        "split it into two scenarios",
        "key",
      );
    } else if (
      store === undefined &&
      service === undefined &&
      disaster["store"] === undefined &&
      disaster["service"] === undefined
    ) {
      problems.add(
        base,
        "a scenario must name the store or the service it strikes",
        "add store: NAME or service: NAME",
      );
    }
    if (store !== undefined && !declared.stores.includes(store)) {
      problems.add(
        [...base, "store"],
        `store "${store}" is not declared in stores`,
        declared.services.includes(store)
          ? `"${store}" is a service: write service: ${store}`
          : suggest(store, declared.stores, "declared stores"),
      );
    }
    if (service !== undefined && store === undefined && !declared.services.includes(service)) {
      problems.add(
        [...base, "service"],
        `service "${service}" is not declared in services`,
        declared.stores.includes(service)
          ? `"${service}" is a store: write store: ${service}`
          : suggest(service, declared.services, "declared services"),
      );
    }
    if (service !== undefined && store === undefined && disaster["kind"] === "deletion") {
      problems.add(
        [...base, "kind"],
        `a deletion scenario applies to stores; "${service}" is a service`,
        "use crash, zone-outage or region-outage for a service",
      );
    }
    if (disaster["via"] !== undefined && disaster["kind"] !== "deletion") {
      problems.add([...base, "via"], "via applies to deletion scenarios only", "remove via", "key");
    }
    if (store !== undefined && disaster["rpo"] === undefined) {
      problems.add(base, "a store's scenario needs rpo, the data it may lose", "add rpo: DURATION (0 for none)");
    }
  });
}
