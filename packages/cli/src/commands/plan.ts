import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { analyze, MAX_SAMPLES, parseEvidence, renderHtmlReport, renderTerminalReport, useColour } from "@nines/planner";
import { defineCommand } from "../define-command.js";
import { CLI_ERRORS, CliError, EXIT } from "../errors.js";
import { readSpec } from "../spec-input.js";
import { writeFiles } from "../write-files.js";

const usage = `Usage: nines plan FILE [options]

Reads a reliability spec (nines.yaml, or - for standard input), computes
the availability of every journey and component, checks the rules, the
disaster scenarios and the risk/cost variants, and prints the report.

Options:
  --json          print the result as one JSON object (durations in seconds,
                  availability as fractions); an invalid spec prints {"errors": [...]},
                  any other error {"error": {"code", "message", "hint"}}
  --html FILE     also write a self-contained HTML report with a diagram
  --as-of DATE    the date time-dependent rules compare with (default today, UTC)
  --samples N     Monte Carlo samples where a journey uses more than 20 zones
                  (default 1000000, at most 10000000)
  --seed N        Monte Carlo seed (default 1)
  --evidence FILE drill results (nines drill --record FILE): a restore a drill
                  performed counts as tested on its date, and each disaster
                  scenario shows its latest drill next to the plan
  -h, --help      show this help

Exit status: 0 when no finding is an error, 1 when one is, 2 when the spec
or the options are invalid.
`;

/**
 * `nines plan FILE`: the report for people, `--json` for programs,
 * `--html FILE` for a page with the deployment diagram. Exits 0 when no
 * finding is an error, 1 when one is, 2 for an invalid spec or options.
 *
 * @example
 * // nines plan examples/clicktravel/nines.yaml --html out/clicktravel.html
 */
export const plan = defineCommand({
  name: "plan",
  summary: "check a reliability spec: availability, rules, DR, risk/cost",
  usage,
  options: {
    json: { type: "boolean" },
    html: { type: "string" },
    "as-of": { type: "string" },
    samples: { type: "string" },
    seed: { type: "string" },
    evidence: { type: "string" },
  },
  async run(args, io) {
    const [file] = args.expect("FILE");
    const asOf = args.values["as-of"];
    if (asOf !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf)))) {
      throw args.error(`--as-of must be an ISO date, got '${asOf}'`, "pass e.g. --as-of 2026-11-29");
    }
    const samples = args.wholeNumber("samples", 2, MAX_SAMPLES);
    const seed = args.values.seed;
    if (seed !== undefined && (seed.trim() === "" || !Number.isSafeInteger(Number(seed)))) {
      throw args.error(`--seed must be a whole number, got '${seed}'`, "pass e.g. --seed 1");
    }
    const evidenceFile = args.values.evidence;
    const evidence =
      evidenceFile === undefined ? undefined : parseEvidence(await readEvidence(evidenceFile, io.cwd), evidenceFile);
    const { spec } = await readSpec(io, file as string);
    // analyze() also rejects a spec that is invalid only relative to --as-of (a `tested` date after it).
    const result = analyze(spec, {
      ...(asOf !== undefined && { asOf }),
      ...(samples !== undefined && { samples }),
      ...(seed !== undefined && { seed: Number(seed) }),
      ...(evidence !== undefined && { evidence }),
    });
    // The page first, so a write failure leaves no half-done output; the note after the report.
    const html = args.values.html;
    if (html !== undefined) {
      await writeFiles([{ path: resolve(io.cwd, html), shown: html, content: renderHtmlReport(spec, result) }]);
    }
    if (args.values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else io.stdout.write(renderTerminalReport(spec, result, { colour: useColour(io.stdout, io.env) }));
    if (html !== undefined) io.stderr.write(`nines plan: wrote ${html}\n`);
    return result.findings.some((f) => f.severity === "error") ? EXIT.findings : EXIT.ok;
  },
});

/** The evidence file's text; a missing or unreadable file is a usage error naming it. */
async function readEvidence(file: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    throw new CliError(CLI_ERRORS.usage, `nines plan: cannot read --evidence ${file}: ${(error as Error).message}`, {
      hint: "pass the file nines drill --record FILE wrote",
    });
  }
}
