import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { NinesError } from "@nines/core";
import { formatSpecError, parseSpec, SPEC_UNREADABLE } from "@nines/planner";
import { type Command, EXIT } from "../command.js";

const usage = `Usage: nines validate FILE [--json]

Checks a reliability spec (nines.yaml) and lists every error with its file,
line, column and a hint. Exit status: 0 when valid, 2 when invalid.

Options:
  --json   print { "errors": [{ "file", "line", "column", "message", "hint" }] }
`;

/**
 * `nines validate FILE [--json]`: parses and checks a spec without planning it.
 *
 * @example
 * // $ nines validate nines.yaml
 * // nines.yaml: valid (4 services, 3 stores, 1 journey, 3 disaster scenarios)
 */
export const validate: Command = {
  name: "validate",
  summary: "check a nines.yaml spec and list every error with its line and column",
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { json: { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true,
    });
    const file = positionals[0];
    if (file === undefined || positionals.length > 1) {
      throw new NinesError("NINES_CLI_USAGE", "validate takes one spec file", { hint: "nines validate nines.yaml" });
    }
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, file), "utf8");
    } catch (cause) {
      throw new NinesError(SPEC_UNREADABLE, `cannot read spec ${file}: ${(cause as Error).message}`, {
        hint: "check the path; a spec is a nines.yaml file (see docs/spec.md)",
        cause,
        details: { exitCode: EXIT.usage },
      });
    }
    const result = parseSpec(text, file);
    if (!result.ok) {
      if (values.json) io.stdout.write(`${JSON.stringify({ errors: result.errors }, null, 2)}\n`);
      else {
        const n = result.errors.length;
        io.stderr.write(`${result.errors.map(formatSpecError).join("\n")}\n${file}: ${n} error${n === 1 ? "" : "s"}\n`);
      }
      return EXIT.usage;
    }
    const { spec, warnings } = result;
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ errors: [], warnings }, null, 2)}\n`);
      return EXIT.ok;
    }
    for (const warning of warnings) io.stderr.write(`${formatSpecError(warning)}\n`);
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    io.stdout.write(
      `${file}: valid (${count(spec.services.length, "service")}, ${count(spec.stores.length, "store")}, ` +
        `${count(spec.journeys.length, "journey")}, ${count(spec.disasters.length, "disaster scenario")})\n`,
    );
    return EXIT.ok;
  },
};
