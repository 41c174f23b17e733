import { formatSpecError } from "@nines/planner";
import { defineCommand } from "../define-command.js";
import { EXIT } from "../errors.js";
import { plural } from "../plural.js";
import { readSpec } from "../spec-input.js";

const usage = `Usage: nines validate FILE [--json]

Checks a reliability spec (nines.yaml, or - for standard input) and lists
every error with its file, line, column and a hint. Exit status: 0 when
valid, 2 when invalid.

Options:
  --json   print { "errors": [{ "file", "line", "column", "message", "hint" }], "warnings": [...] }
`;

/**
 * `nines validate FILE [--json]`: parses and checks a spec without planning it.
 *
 * @example
 * // $ nines validate nines.yaml
 * // nines.yaml: valid (4 services, 3 stores, 1 journey, 3 disaster scenarios)
 */
export const validate = defineCommand({
  name: "validate",
  summary: "check a nines.yaml spec and list every error with its line and column",
  usage,
  options: { json: { type: "boolean" } },
  async run(args, io) {
    const [file] = args.expect("FILE");
    const { spec, warnings, file: shown } = await readSpec(io, file as string);
    if (args.values.json) {
      io.stdout.write(`${JSON.stringify({ errors: [], warnings }, null, 2)}\n`);
      return EXIT.ok;
    }
    for (const warning of warnings) io.stderr.write(`${formatSpecError(warning)}\n`);
    io.stdout.write(
      `${shown}: valid (${plural(spec.services.length, "service")}, ${plural(spec.stores.length, "store")}, ` +
        `${plural(spec.journeys.length, "journey")}, ${plural(spec.disasters.length, "disaster scenario")})\n`,
    );
    return EXIT.ok;
  },
});
