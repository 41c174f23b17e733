import { resolve } from "node:path";
import { analyze } from "@nines/planner";
import {
  defaultScenario,
  renderSimulationPage,
  renderSimulationSummary,
  simulate as runSimulation,
  SCENARIO_KINDS,
  type ScenarioKind,
  SIMULATION_LIMITS,
  type SimulationResult,
  simulateYear,
  type YearResult,
} from "@nines/sim";
import { defineCommand } from "../define-command.js";
import { EXIT } from "../errors.js";
import { progressPrinter } from "../progress-printer.js";
import { readSpec } from "../spec-input.js";
import { writeFiles } from "../write-files.js";

const usage = `Usage: nines simulate FILE --scenario NAME [options]

Runs the spec's system as a discrete-event simulation on a virtual clock, at
its real loads and instance counts: users arrive open-loop at each journey's
load, every call between services goes through the real @nines/resilience
policies built from the spec, every instance admits through the real
@nines/guard admission controller, balancers check health and eject
outliers, instances autoheal and autoscale with the spec's start-up times,
stores fail over. Prints each journey's availability against its objective;
the same spec, scenario and seed give the same result, byte for byte.
See docs/simulate.md.

Scenarios:
  steady             the spec's load, no fault
  zone-loss          a zone is cut off (default: the zone whose loss hurts most)
  region-loss        a region is cut off (default: the first region)
  instance-failures  instances crash at random (--rate per instance per hour, default 6,
                     at most ${SIMULATION_LIMITS.failuresPerHour})
  latency-spike      a service or store gets --factor times slower (default 5)
  error-burst        a service or store fails a share --rate of requests (default 0.5)
  surge              --factor times the traffic (default 2, at most ${SIMULATION_LIMITS.surgeFactor})
  retry-storm        the latency spike, with every caller of the target retrying
                     at once, without backoff, budget or breaker
  year               years of random failures and repairs of every zone, region,
                     instance and managed part: yearly availability, incidents,
                     downtime by cause, beside nines plan's exact figure

Options:
  --scenario NAME    the scenario (required)
  --duration D       simulated time (default 60s; series per minute above 1h)
  --seed N           the seed of every random draw (default 1)
  --target NAME      the zone, region, service or store the fault strikes
  --at D             when the fault strikes (default a third of the run, at most 20s)
  --for D            how long it lasts (default 10s; zone, region and instance
                     failures last to the end)
  --factor X         slowdown (latency-spike, retry-storm) or traffic (surge)
  --rate X           share of failed requests (error-burst) or crashes per
                     instance per hour (instance-failures)
  --curve daily      offer the load on a daily curve (peak at noon) instead of flat
  --no-guard         run the instances without admission control
  --years N          year: simulated years (default 100, at most ${SIMULATION_LIMITS.years}:
                     about a minute for ClickTravel's spec)
  --recovery MODE    year: spec (default: the spec's detection, failover and
                     start-up times count) or instant (the plan's model)
  --json             print the result as one JSON object (docs/simulate.md, "The result")
  --html FILE        also write a page of charts (works offline)
  -h, --help         show this help

Progress (simulated seconds, or years) is printed on stderr.

Exit status: 0 when every journey meets its objective, 1 when one misses,
2 when the spec or the options are invalid.
`;

const RUN_OPTIONS = ["duration", "target", "at", "for", "factor", "rate", "curve", "no-guard"] as const;
const YEAR_OPTIONS = ["years", "recovery"] as const;

/**
 * `nines simulate FILE --scenario NAME`: the spec's system on a virtual
 * clock, with the real policies; the terminal summary, `--json` for
 * programs, `--html FILE` for charts.
 *
 * @example
 * // $ nines simulate examples/clicktravel/nines.yaml --scenario zone-loss --duration 2m --html out/zone-loss.html
 */
export const simulate = defineCommand({
  name: "simulate",
  summary: "run the spec's system on a virtual clock with the real policies, under a fault",
  usage,
  options: {
    scenario: { type: "string" },
    duration: { type: "string" },
    seed: { type: "string" },
    target: { type: "string" },
    at: { type: "string" },
    for: { type: "string" },
    factor: { type: "string" },
    rate: { type: "string" },
    curve: { type: "string" },
    "no-guard": { type: "boolean" },
    years: { type: "string" },
    recovery: { type: "string" },
    json: { type: "boolean" },
    html: { type: "string" },
  },
  async run(args, io) {
    const [file] = args.expect("FILE");
    args.required("scenario", "NAME");
    const kind = args.oneOf("scenario", SCENARIO_KINDS) as ScenarioKind;
    const seed = args.wholeNumber("seed", 0) ?? 1;
    // Options of the other family are refused rather than ignored: a --years on a zone loss is a mistake.
    const foreign = kind === "year" ? RUN_OPTIONS : YEAR_OPTIONS;
    for (const name of foreign) {
      if (args.values[name] !== undefined) {
        throw args.error(
          `--${name} does not apply to --scenario ${kind}`,
          kind === "year" ? "year takes --years and --recovery" : "--years and --recovery are for --scenario year",
        );
      }
    }
    const { spec } = await readSpec(io, file as string);
    const onProgress = progressPrinter(io, "nines simulate");
    let result: SimulationResult | YearResult;
    if (kind === "year") {
      const years = yearsOf(args) ?? 100;
      const recovery = args.oneOf("recovery", ["spec", "instant"] as const) ?? "spec";
      result = await simulateYear(spec, { years, seed, recovery, plan: analyze(spec), onProgress });
    } else {
      const durationMs = args.durationMs("duration") ?? 60_000;
      if (durationMs < 1000 || !Number.isInteger(durationMs)) {
        throw args.error(`--duration must be at least 1s in whole ms, got '${args.values.duration}'`);
      }
      const params = {
        ...optional("target", args.values.target),
        ...optional("afterMs", atMs(args)),
        ...optional("durationMs", args.durationMs("for")),
        ...optional("factor", factorOf(args, kind)),
        ...optional("rate", rateOf(args, kind)),
      };
      const curve = args.oneOf("curve", ["flat", "daily"] as const) ?? "flat";
      result = await runSimulation(spec, defaultScenario(spec, kind, durationMs, params), {
        durationMs,
        seed,
        curve,
        ...(args.values["no-guard"] ? { admission: false as const } : {}),
        onProgress,
      });
    }
    // The page first, so that a write failure leaves no half-done output.
    const html = args.values.html;
    if (html !== undefined) {
      await writeFiles([{ path: resolve(io.cwd, html), shown: html, content: renderSimulationPage(result) }]);
    }
    if (args.values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else io.stdout.write(renderSimulationSummary(result));
    if (html !== undefined) io.stderr.write(`nines simulate: wrote ${html}\n`);
    return result.journeys.some((journey) => journey.verdict === "missed") ? EXIT.findings : EXIT.ok;
  },
});

type NumberArgs = {
  values: { years?: string | undefined; rate?: string | undefined; factor?: string | undefined };
  positiveNumber(name: "rate" | "factor"): number | undefined;
  error(message: string, hint?: string): Error;
};

/** `--years`: 1 to the simulator's limit; the hint says what the longest run costs. */
function yearsOf(args: NumberArgs): number | undefined {
  const text = args.values.years;
  if (text === undefined) return undefined;
  const years = Number(text);
  const max = SIMULATION_LIMITS.years;
  if (text.trim() === "" || !Number.isSafeInteger(years) || years < 1 || years > max) {
    throw args.error(
      `--years must be a whole number from 1 to ${max}, got '${text}'`,
      `${max} years take about 5 s for a small spec such as the README's and about a minute for ClickTravel's, with progress on stderr; the default is 100`,
    );
  }
  return years;
}

/** `--rate`: a share in (0, 1] for error-burst, crashes per instance per hour up to the limit for instance-failures. */
function rateOf(args: NumberArgs, kind: ScenarioKind): number | undefined {
  const rate = args.positiveNumber("rate");
  if (rate === undefined) return undefined;
  if (kind === "error-burst" && rate > 1) {
    throw args.error(
      `--rate must be a share of requests from 0 to 1 for --scenario error-burst, got '${args.values.rate}'`,
      "pass e.g. --rate 0.5 (half the requests fail)",
    );
  }
  const max = SIMULATION_LIMITS.failuresPerHour;
  if (kind === "instance-failures" && rate > max) {
    throw args.error(
      `--rate must be a number above 0 and at most ${max} crashes per instance per hour (once a second) for --scenario instance-failures, got '${args.values.rate}'`,
      `pass e.g. --rate 6 (every 10 minutes on average); a minute simulated at --rate ${max} takes about 10 s for ClickTravel's spec`,
    );
  }
  return rate;
}

/** `--factor`: a surge is bounded (its requests, and the run's time, grow with it). */
function factorOf(args: NumberArgs, kind: ScenarioKind): number | undefined {
  const factor = args.positiveNumber("factor");
  const max = SIMULATION_LIMITS.surgeFactor;
  if (factor !== undefined && kind === "surge" && factor > max) {
    throw args.error(
      `--factor must be a number above 0 and at most ${max} for --scenario surge, got '${args.values.factor}'`,
      `the run's time grows with the traffic: ${max} times the README's load for 10 s takes about a minute; pass e.g. --factor 2`,
    );
  }
  return factor;
}

/** `--at`: a duration, where 0 (at the start) is allowed. */
function atMs(args: {
  values: { at?: string | undefined };
  durationMs(name: "at"): number | undefined;
}): number | undefined {
  if (args.values.at === undefined) return undefined;
  if (/^0+(ms|s|m|h)?$/.test(args.values.at.trim())) return 0;
  return args.durationMs("at");
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
