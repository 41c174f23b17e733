import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isNinesError, NinesError } from "@nines/core";
import {
  analyze,
  loadSpec,
  type PlanResult,
  renderHtmlReport,
  renderTerminalReport,
  type Spec,
  useColour,
} from "@nines/planner";
import { type Command, EXIT, type Io } from "../command.js";
import { specPath } from "../spec-path.js";
import { writeOutput } from "../write-output.js";

const usage = `Usage: nines plan FILE [options]

Reads a reliability spec (nines.yaml), computes the availability of every
journey and component, checks the rules, the disaster scenarios and the
risk/cost variants, and prints the report.

Options:
  --json          print the result as one JSON object (durations in seconds,
                  availability as fractions); an invalid spec prints {"errors": [...]}
  --html FILE     also write a self-contained HTML report with a diagram
  --as-of DATE    the date time-dependent rules compare with (default today, UTC)
  --samples N     Monte Carlo samples where a journey uses more than 20 zones (default 1000000)
  --seed N        Monte Carlo seed (default 1)
  -h, --help      show this help

Exit status: 0 when no finding is an error, 1 when one is, 2 when the spec
or the options are invalid.
`;

/** One spec error as printed by `--json` (spec.md, "Invalid input"). */
interface SpecErrorJson {
  file: string;
  line: number;
  column: number;
  message: string;
  hint: string;
}

/** A file that cannot be written: the path given is the problem (exit 2), never a bug. */
function write(path: string, shown: string, content: string): Promise<void> {
  return writeOutput(path, shown, content, "NINES_PLAN_WRITE_FAILED");
}

function usageError(message: string, hint: string): NinesError {
  return new NinesError("NINES_PLAN_USAGE", message, { hint, details: { exitCode: EXIT.usage } });
}

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw usageError(`--${name} must be a whole number >= 1, got '${text}'`, `pass e.g. --${name} 1000000`);
  return n;
}

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw usageError(`--${name} must be a whole number, got '${text}'`, `pass e.g. --${name} 1`);
  return n;
}

function date(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) {
    throw usageError(`--as-of must be an ISO date, got '${text}'`, "pass e.g. --as-of 2026-11-29");
  }
  return text;
}

/** The errors of an invalid spec in the JSON shape, whatever error loading threw. */
function specErrors(error: NinesError, file: string): SpecErrorJson[] {
  const listed = error.details["errors"];
  if (Array.isArray(listed) && listed.length > 0) return listed as SpecErrorJson[];
  return [{ file, line: 1, column: 1, message: error.message, hint: error.hint ?? "" }];
}

function printSpecErrors(io: Io, errors: readonly SpecErrorJson[]): void {
  const lines = errors.map(
    (e) => `${e.file}:${e.line}:${e.column}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}`,
  );
  const count = `${errors.length} error${errors.length === 1 ? "" : "s"}`;
  io.stderr.write(`${lines.join("\n")}\nnines plan: the spec is invalid (${count})\n`);
}

/**
 * `nines plan FILE`: the report for people, `--json` for programs,
 * `--html FILE` for a page with the deployment diagram. Exits 0 when no
 * finding is an error, 1 when one is, 2 for an invalid spec or options.
 *
 * @example
 * // nines plan examples/clicktravel/nines.yaml --html out/clicktravel.html
 */
export const plan: Command = {
  name: "plan",
  summary: "check a reliability spec: availability, rules, DR, risk/cost",
  usage,
  async run(args, io) {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (error) {
      if (isNinesError(error)) throw error;
      throw usageError(
        error instanceof Error ? error.message : String(error),
        "run 'nines plan --help' for the options",
      );
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      throw usageError(
        positionals.length === 0 ? "missing the spec file" : `expected one spec file, got ${positionals.length}`,
        "run e.g. 'nines plan nines.yaml'",
      );
    }
    const file = positionals[0]!;
    const options = {
      ...(date(values["as-of"]) !== undefined && { asOf: values["as-of"]! }),
      ...(values.samples !== undefined && { samples: positiveInteger("samples", values.samples)! }),
      ...(values.seed !== undefined && { seed: integer("seed", values.seed)! }),
    };

    let spec: Spec;
    let result: PlanResult;
    try {
      spec = loadSpec(specPath(io.cwd, file));
      // analyze() also rejects a spec that is invalid only relative to --as-of (a `tested` date after it).
      result = analyze(spec, options);
    } catch (error) {
      if (!isNinesError(error) || !SPEC_ERRORS.has(error.code)) throw error;
      const errors = specErrors(error, file);
      if (values.json) io.stdout.write(`${JSON.stringify({ errors }, null, 2)}\n`);
      else printSpecErrors(io, errors);
      return typeof error.details["exitCode"] === "number" ? error.details["exitCode"] : EXIT.usage;
    }
    // The page first, so a write failure leaves no half-done output; the note after the report.
    if (values.html !== undefined)
      await write(resolve(io.cwd, values.html), values.html, renderHtmlReport(spec, result));
    if (values.json) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      io.stdout.write(renderTerminalReport(spec, result, { colour: useColour(io.stdout, io.env) }));
    }
    if (values.html !== undefined) io.stderr.write(`nines plan: wrote ${values.html}\n`);
    return result.findings.some((f) => f.severity === "error") ? EXIT.findings : EXIT.ok;
  },
};

/** The errors that mean "fix the spec": listed for people, or as `{ errors }` with --json, exit 2. */
const SPEC_ERRORS = new Set(["NINES_SPEC_INVALID", "NINES_SPEC_UNREADABLE"]);

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: "boolean", default: false },
      html: { type: "string" },
      "as-of": { type: "string" },
      samples: { type: "string" },
      seed: { type: "string" },
    },
  });
}
