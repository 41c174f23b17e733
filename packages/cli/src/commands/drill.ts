import { dirname, isAbsolute, join, resolve } from "node:path";
import { isNinesError, systemClock } from "@nines/core";
import {
  appendEvidence,
  buildScenarios,
  DEFAULT_TIME_SCALE,
  DRILL_ERRORS,
  type DrillResult,
  defaultRunDir,
  emitChaosMesh,
  evidenceRecords,
  genericWorkload,
  loadWorkload,
  predictScenario,
  renderDrillPage,
  resultLine,
  runDrill,
  scorecardHeader,
  scorecardRow,
  scorecardSummary,
  selectScenarios,
  up as startSystem,
  workloadFileFor,
} from "@nines/drill";
import { analyze, buildManifests } from "@nines/planner";
import { defineCommand } from "../define-command.js";
import { EXIT } from "../errors.js";
import { plural } from "../plural.js";
import { progressPrinter } from "../progress-printer.js";
import { readSpec } from "../spec-input.js";
import { writeFiles } from "../write-files.js";

const usage = `Usage: nines drill FILE [options]

Brings the spec's system up on this machine (as nines up does), runs drill
scenarios against it one after the other, and tears everything down. Each
scenario drives the system with its workload at the scaled load, injects a
fault (kill an instance, lose a zone or a region, crash the database primary,
delete data by mistake and recover it, send a query of death, make a
dependency slow or failing, a retry storm), measures from the client side
(success ratio and latency per second, acknowledged writes lost, RTO,
instances replaced, failover time) and sets the result beside the plan's
prediction and the spec's objective. See docs/drill.md ("nines drill").

Options:
  --scenario NAME       run only this scenario: a name or a kind (zone-loss, db-crash...);
                        repeat for more (default: every scenario)
  --list                list the scenarios and what the plan predicts; run nothing
  --scale K             divide loads and capacities by K (>= 1; default 20)
  --time-scale T        divide start-up and drain times by T (>= 1; default 10)
  --run-dir DIR         the run directory (default .nines/run/<name>)
  --workload FILE       the workload module (default workload.mjs next to the spec,
                        else GET / at the front door)
  --json                one JSON object per scenario and line (docs/drill.md, "JSON")
  --html FILE           also write a page with each scenario's per-second timelines
  --record FILE         append the results to an evidence file (nines plan --evidence FILE)
  --emit chaos-mesh     write the scenarios as Chaos Mesh experiments instead (with --out DIR)
  --out DIR             where --emit writes
  --namespace NAME      with --emit: the namespace nines k8s wrote the workloads in
  -h, --help            show this help

Ctrl-C stops the scenario under way, tears the system down and leaves
nothing running.

Exit status: 0 every scenario run met its objective, 1 one missed,
2 invalid spec or options, or the system could not start.
`;

/**
 * `nines drill FILE`: up, scenarios, scorecard, teardown; `--emit
 * chaos-mesh` writes the same scenarios for a real cluster instead.
 *
 * @example
 * // $ nines drill examples/clicktravel/nines.yaml --scenario zone-loss --scenario db-crash --html out/drill.html
 */
export const drill = defineCommand({
  name: "drill",
  summary: "inject faults into the running system and measure them against the plan",
  usage,
  options: {
    scenario: { type: "string", multiple: true },
    list: { type: "boolean" },
    scale: { type: "string" },
    "time-scale": { type: "string" },
    "run-dir": { type: "string" },
    workload: { type: "string" },
    json: { type: "boolean" },
    html: { type: "string" },
    record: { type: "string" },
    emit: { type: "string" },
    out: { type: "string" },
    namespace: { type: "string" },
  },
  async run(args, io) {
    const [file] = args.expect("FILE");
    const scale = args.positiveNumber("scale");
    if (scale !== undefined && scale < 1) throw args.error("--scale must be >= 1", "pass e.g. --scale 20");
    const timeScale = args.positiveNumber("time-scale");
    if (timeScale !== undefined && timeScale < 1)
      throw args.error("--time-scale must be >= 1", "pass e.g. --time-scale 10");
    const emit = args.oneOf("emit", ["chaos-mesh"]);
    if (emit !== undefined && args.values.out === undefined)
      throw args.error("--emit needs --out DIR", "pass e.g. --out out/chaos");
    if (emit === undefined && args.values.out !== undefined) throw args.error("--out goes with --emit chaos-mesh");
    const { spec } = await readSpec(io, file as string);
    const specPath = file === "-" ? join(io.cwd, "nines.yaml") : resolve(io.cwd, file as string);
    const specDir = dirname(isAbsolute(specPath) ? specPath : resolve(io.cwd, specPath));

    if (emit !== undefined) {
      const namespace = args.values.namespace;
      const { files, plan } = emitChaosMesh(spec, buildManifests(spec, namespace ? { namespace } : {}));
      const dir = resolve(io.cwd, args.values.out as string);
      await writeFiles(
        files.map((f) => ({
          path: join(dir, f.path),
          shown: join(args.values.out as string, f.path),
          content: f.content,
        })),
      );
      for (const s of plan.skipped) io.stderr.write(`nines drill: not exported: ${s.scenario}: ${s.reason}\n`);
      io.stdout.write(
        `wrote ${plural(files.length, "file")} to ${args.values.out}: ${files.map((f) => f.path).join(", ")}\n`,
      );
      return EXIT.ok;
    }

    const workloadFile = args.values.workload ? resolve(io.cwd, args.values.workload) : workloadFileFor(specPath);
    const workload = workloadFile ? await loadWorkload(workloadFile) : genericWorkload();
    const plan = analyze(spec);
    const all = buildScenarios(spec, plan, {
      timeScale: timeScale ?? DEFAULT_TIME_SCALE,
      ...(workload.queryOfDeath && { queryOfDeathService: workload.queryOfDeath.service }),
    });
    const scenarios = selectScenarios(all, args.values.scenario ?? []);
    if (args.values.list) {
      for (const s of scenarios) {
        const p = predictScenario(spec, plan, s, { timeScale: timeScale ?? DEFAULT_TIME_SCALE });
        const line = {
          scenario: s.name,
          kind: s.kind,
          target: s.target,
          title: s.title,
          timeline: s.timeline,
          predicted: p,
        };
        io.stdout.write(
          args.values.json ? `${JSON.stringify(line)}\n` : `${s.name.padEnd(34)} ${s.title}\n  predicted: ${p.basis}\n`,
        );
      }
      return EXIT.ok;
    }

    const json = args.values.json === true;
    const progress = progressPrinter(io, "nines drill");
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      let system: Awaited<ReturnType<typeof startSystem>>;
      const startedAt = systemClock.now();
      try {
        system = await startSystem(spec, {
          specDir,
          runDir: args.values["run-dir"] ? resolve(io.cwd, args.values["run-dir"]) : defaultRunDir(spec.name, io.cwd),
          ...(scale !== undefined && { scale }),
          ...(timeScale !== undefined && { timeScale }),
          signal: stop.signal,
          onProgress: progress,
        });
      } catch (error) {
        if (stop.signal.aborted && isNinesError(error, DRILL_ERRORS.stopped)) {
          io.stderr.write("nines drill: stopped before the system was up; nothing left running\n");
          return EXIT.ok;
        }
        throw error;
      }
      let results: DrillResult[] = [];
      try {
        io.stderr.write(
          `nines drill: ${spec.name} up in ${((systemClock.now() - startedAt) / 1000).toFixed(1)} s (scale ${system.plan.scale}, time scale ${system.plan.timeScale}${system.postgres ? `, PostgreSQL ${system.postgres.version} from ${system.postgres.source}` : ""}); workload ${workload.name}; ${plural(scenarios.length, "scenario")}\n`,
        );
        if (!json) io.stdout.write(scorecardHeader());
        results = await runDrill(system, {
          spec,
          plan,
          workload,
          scenarios,
          signal: stop.signal,
          onProgress: progress,
          onResult: (result) =>
            io.stdout.write(json ? `${JSON.stringify(resultLine(result))}\n` : scorecardRow(result)),
        });
      } finally {
        io.stderr.write("nines drill: tearing the system down\n");
        await system.stop();
      }
      if (!json) io.stdout.write(scorecardSummary(results));
      if (args.values.html !== undefined) {
        const html = args.values.html;
        await writeFiles([
          {
            path: resolve(io.cwd, html),
            shown: html,
            content: renderDrillPage(results, {
              system: spec.name,
              scale: system.plan.scale,
              timeScale: system.plan.timeScale,
            }),
          },
        ]);
        io.stderr.write(`nines drill: wrote ${html}\n`);
      }
      if (args.values.record !== undefined) {
        const records = evidenceRecords(results, {
          system: spec.name,
          date: new Date(systemClock.now()).toISOString().slice(0, 10),
        });
        await appendEvidence(resolve(io.cwd, args.values.record), records);
        io.stderr.write(`nines drill: recorded ${plural(records.length, "result")} in ${args.values.record}\n`);
      }
      if (stop.signal.aborted) io.stderr.write("nines drill: stopped; nothing left running\n");
      return results.some((r) => r.verdict === "missed") ? EXIT.findings : EXIT.ok;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
});
