import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isNinesError, NinesError } from "@nines/core";
import {
  buildManifests,
  checkManifests,
  type K8sOptions,
  loadSpec,
  renderManifestFiles,
  type Spec,
} from "@nines/planner";
import { type Command, EXIT } from "../command.js";
import { specPath } from "../spec-path.js";
import { writeOutput } from "../write-output.js";

const usage = `Usage: nines k8s FILE --out DIR [options]

Writes Kubernetes manifests for every service of a reliability spec, one
file per service (DIR/<service>.yaml): a Deployment (replicas = instances x
zones, spread across the spec's zones, probes from health and startup), a
Service, a PodDisruptionBudget (one unit of deployment out at a time) and a
HorizontalPodAutoscaler from autoscale. The objects are checked first
(selectors, drainable budgets, satisfiable spread, autoscaler bounds, probe
ports); nothing is written when a check fails.

Options:
  --out DIR          directory to write to (created when missing)
  --namespace NAME   namespace for every object (default: none)
  --image TEMPLATE   container image; {service} and {system} are replaced
                     (default {system}/{service}:latest)
  --port N           the container's HTTP port (default 8080)
  --cpu Q            CPU request per pod (default 500m)
  --memory Q         memory request per pod (default 512Mi)
  --liveness PATH    liveness endpoint (default /livez)
  -h, --help         show this help

Exit status: 0 written, 1 a check failed (nothing written), 2 invalid spec or options.
`;

/** A file that cannot be written: the path given is the problem (exit 2), never a bug. */
function write(path: string, shown: string, content: string): Promise<void> {
  return writeOutput(path, shown, content, "NINES_K8S_WRITE_FAILED");
}

function usageError(message: string, hint: string): NinesError {
  return new NinesError("NINES_K8S_USAGE", message, { hint, details: { exitCode: EXIT.usage } });
}

/**
 * `nines k8s FILE --out DIR`: Kubernetes manifests from the spec, checked,
 * then written atomically.
 *
 * @example
 * // nines k8s examples/clicktravel/nines.yaml --out out/k8s --image ghcr.io/acme/{service}:1.0
 */
export const k8s: Command = {
  name: "k8s",
  summary: "write Kubernetes manifests (Deployment, PDB, HPA, Service) for a spec",
  usage,
  async run(args, io) {
    let values: ReturnType<typeof parse>["values"];
    let positionals: string[];
    try {
      ({ values, positionals } = parse(args));
    } catch (error) {
      throw usageError(
        error instanceof Error ? error.message : String(error),
        "run 'nines k8s --help' for the options",
      );
    }
    if (positionals.length !== 1)
      throw usageError("expected one spec file", "run e.g. 'nines k8s nines.yaml --out k8s'");
    if (values.out === undefined) throw usageError("missing --out DIR", "run e.g. 'nines k8s nines.yaml --out k8s'");
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65_535)) {
      throw usageError(`--port must be an integer in [1, 65535], got '${values.port}'`, "pass e.g. --port 8080");
    }
    const options: K8sOptions = {
      ...(values.namespace !== undefined && { namespace: values.namespace }),
      ...(values.image !== undefined && { image: values.image }),
      ...(port !== undefined && { port }),
      ...(values.cpu !== undefined && { cpu: values.cpu }),
      ...(values.memory !== undefined && { memory: values.memory }),
      ...(values.liveness !== undefined && { liveness: values.liveness }),
    };
    const file = positionals[0]!;
    let spec: Spec;
    try {
      spec = loadSpec(specPath(io.cwd, file));
    } catch (error) {
      if (isNinesError(error) && Array.isArray(error.details["errors"])) {
        const errors = error.details["errors"] as {
          file: string;
          line: number;
          column: number;
          message: string;
          hint: string;
        }[];
        io.stderr.write(
          `${errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}`).join("\n")}\n`,
        );
        return typeof error.details["exitCode"] === "number" ? error.details["exitCode"] : EXIT.usage;
      }
      throw error;
    }
    const manifests = buildManifests(spec, options);
    const problems = checkManifests(manifests.flatMap((m) => m.objects));
    for (const p of problems) io.stderr.write(`nines k8s: ${p.severity}: ${p.object}: ${p.message}\n`);
    if (problems.some((p) => p.severity === "error")) {
      io.stderr.write("nines k8s: nothing written; fix the spec (or the options) and run again\n");
      return EXIT.findings;
    }
    const dir = resolve(io.cwd, values.out);
    const files = renderManifestFiles(manifests);
    for (const f of files) await write(join(dir, f.path), join(values.out, f.path), f.content);
    const count = manifests.reduce((n, m) => n + m.objects.length, 0);
    io.stdout.write(
      `wrote ${count} objects in ${files.length} files to ${values.out}: ${files.map((f) => f.path).join(", ")}\n`,
    );
    return EXIT.ok;
  },
};

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: "string" },
      namespace: { type: "string" },
      image: { type: "string" },
      port: { type: "string" },
      cpu: { type: "string" },
      memory: { type: "string" },
      liveness: { type: "string" },
    },
  });
}
