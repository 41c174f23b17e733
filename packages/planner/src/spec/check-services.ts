import { suggest } from "./closest-name.js";
import type { Declared } from "./declared.js";
import { entriesOf, mapping, type Problems, type Raw, text } from "./problem.js";
import { MAX_INSTANCES } from "./schema.js";
import type { PathSegment } from "./source-map.js";
import { parsePercent } from "./values.js";

/**
 * Checks every service's references: declared zones (once each), callees
 * that are declared services or stores, the standby's region and the
 * autoscale target for its metric.
 */
export function checkServices(raw: Raw, declared: Declared, problems: Problems): void {
  const callable = new Set([...declared.services, ...declared.stores]);
  const edge = new Set(declared.edge);
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
      if (callable.has(callee)) continue;
      if (edge.has(callee)) {
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
    checkNeeded(service, base, problems);
    checkRun(mapping(service["run"]), [...base, "run"], problems);
  }
}

/** A service needing more instances than the planner models is a mistake in `load` or `capacity`. */
function checkNeeded(service: Raw, base: PathSegment[], problems: Problems): void {
  const { load, capacity } = service;
  if (typeof load !== "number" || typeof capacity !== "number" || !(capacity > 0)) return;
  const needed = Math.ceil(load / capacity);
  if (needed <= MAX_INSTANCES) return;
  problems.add(
    [...base, "capacity"],
    `load ${load} / capacity ${capacity} needs ${needed.toExponential(2)} instances; the planner models at most ${MAX_INSTANCES.toLocaleString("en-US")} per service`,
    "check capacity (the req/s one instance takes) and load (the peak req/s of the whole service)",
  );
}

/** A command written as one string is split on spaces: quotes would not do what they seem to. */
function checkRun(run: Raw | undefined, path: PathSegment[], problems: Problems): void {
  const command = run?.["command"];
  if (typeof command === "string" && /["'\\]/.test(command)) {
    problems.add(
      [...path, "command"],
      "a command written as one string is split on spaces, without a shell: quotes and backslashes stay as written",
      "write the list form: command: [node, services/web.js, --flag, value with spaces]",
    );
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
 * reports each once, at the call that closes it, as `a -> b -> a`. An
 * iterative depth-first search: a chain of thousands of services is fine.
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
  const reported = new Set<string>();
  for (const root of calls.keys()) {
    if (state.has(root)) continue;
    // The path from the root, each with the index of its next callee to visit.
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, "active");
    while (path.length > 0) {
      const top = path.length - 1;
      const name = path[top]!;
      const callees = calls.get(name)!;
      const i = next[top]!;
      if (i >= callees.length) {
        state.set(name, "done");
        path.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const callee = callees[i]!;
      if (!calls.has(callee)) continue;
      const s = state.get(callee);
      if (s === "active") {
        const cycle = [...path.slice(path.indexOf(callee)), callee];
        const key = cycle.slice(0, -1).sort().join("\n");
        if (reported.has(key)) continue;
        reported.add(key);
        problems.add(
          ["services", name, "calls", callee],
          `calls form a cycle: ${cycle.join(" -> ")}`,
          "services must call each other without cycles (optional calls included); remove one of these calls",
          "key",
        );
      } else if (s === undefined) {
        state.set(callee, "active");
        path.push(callee);
        next.push(0);
      }
    }
  }
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
