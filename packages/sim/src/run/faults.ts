import type { Random } from "@nines/core";
import type { SimClock } from "../engine/sim-clock.js";
import type { SimPlatform } from "../model/platform.js";
import type { SimSystem } from "../model/sim-system.js";
import { exponential } from "../random/distributions.js";
import type { Scenario } from "./scenario.js";

/** A moment of the run worth marking on a chart: a fault starting or ending. */
export interface RunMark {
  /** Ms from the start of the run. */
  atMs: number;
  label: string;
}

/** What a scenario does to the traffic: a multiplier of every journey's arrival rate over time. */
export interface Traffic {
  /** The multiplier at `atMs` (1 outside a surge). */
  factorAt(atMs: number): number;
  /** The largest multiplier over the run. */
  readonly peak: number;
}

/**
 * Schedules the scenario's faults on the run's clock and returns where
 * they start and end, and what they do to the traffic.
 *
 * @example
 * const { marks } = applyScenario({ kind: "zone-loss", zone: "us-central1-a", afterMs: 20_000 }, run);
 */
export function applyScenario(
  scenario: Scenario,
  run: { system: SimSystem; platform: SimPlatform; clock: SimClock; random: Random; durationMs: number },
): { marks: RunMark[]; traffic: Traffic } {
  const { system, platform, clock } = run;
  const marks: RunMark[] = [];
  const flat: Traffic = { factorAt: () => 1, peak: 1 };
  if (scenario.kind === "steady") return { marks, traffic: flat };
  const startMs = scenario.afterMs ?? 0;
  const endMs =
    scenario.durationMs === undefined || scenario.durationMs === null ? null : startMs + scenario.durationMs;
  const window = (label: string, start: () => void, end: () => void): void => {
    marks.push({ atMs: startMs, label });
    clock.scheduleSync(startMs, start);
    if (endMs !== null && endMs < run.durationMs) {
      marks.push({ atMs: endMs, label: `${label} ends` });
      clock.scheduleSync(endMs, end);
    }
  };
  switch (scenario.kind) {
    case "zone-loss":
      window(
        `${scenario.zone} lost`,
        () => platform.loseZones([scenario.zone]),
        () => platform.restoreZones([scenario.zone]),
      );
      break;
    case "region-loss": {
      const zones = platform.zonesOf(scenario.region);
      window(
        `${scenario.region} lost`,
        () => platform.loseZones(zones),
        () => platform.restoreZones(zones),
      );
      break;
    }
    case "latency-spike":
    case "retry-storm":
      window(
        `${scenario.target} ${scenario.factor}x slower`,
        () => slow(system, scenario.target, scenario.factor),
        () => slow(system, scenario.target, 1),
      );
      break;
    case "error-burst": {
      const fault = system.faultOf(scenario.target);
      window(
        `${scenario.target} fails ${Math.round(scenario.errorRate * 100)}%`,
        () => {
          if (fault) fault.errorRate = scenario.errorRate;
        },
        () => {
          if (fault) fault.errorRate = 0;
        },
      );
      break;
    }
    case "instance-failures": {
      let on = false;
      window(
        `instances crash ${scenario.failuresPerHour}/h`,
        () => {
          on = true;
        },
        () => {
          on = false;
        },
      );
      // One Poisson stream for all instances: the next crash strikes an instance drawn at random.
      const instances = [...system.services.values()].reduce((n, s) => n + s.nodes.length, 0);
      const gap = exponential(3_600_000 / (scenario.failuresPerHour * Math.max(1, instances)));
      const strike = (): void => {
        if (on) {
          const services = [...system.services.values()];
          const all = services.flatMap((service) => service.nodes.map((node) => ({ service, node })));
          const victim = all[Math.floor(run.random.next() * all.length)];
          if (victim !== undefined) platform.crash(victim.service, victim.node);
        }
        clock.scheduleSync(gap.sample(run.random), strike);
      };
      clock.scheduleSync(startMs + gap.sample(run.random), strike);
      break;
    }
    case "surge": {
      window(
        `traffic ${scenario.factor}x`,
        () => {},
        () => {},
      );
      const factor = scenario.factor;
      return {
        marks,
        traffic: {
          factorAt: (atMs) => (atMs >= startMs && (endMs === null || atMs < endMs) ? factor : 1),
          peak: Math.max(1, factor),
        },
      };
    }
  }
  return { marks, traffic: flat };
}

function slow(system: SimSystem, target: string, factor: number): void {
  const service = system.services.get(target);
  if (service !== undefined) service.setSlowdown(factor);
  else {
    const fault = system.faultOf(target);
    if (fault) fault.slowdown = factor;
  }
}
