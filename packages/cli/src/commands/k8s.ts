import { join, resolve } from "node:path";
import { buildManifests, checkManifests, type K8sOptions, renderManifestFiles } from "@nines/planner";
import { defineCommand } from "../define-command.js";
import { EXIT } from "../errors.js";
import { plural } from "../plural.js";
import { readSpec } from "../spec-input.js";
import { writeFiles } from "../write-files.js";

const usage = `Usage: nines k8s FILE --out DIR [options]

Writes Kubernetes manifests for every service of a reliability spec (a file,
or - for standard input), one file per service (DIR/<service>.yaml): a
Deployment (replicas = instances x zones, spread across the spec's zones,
probes from health and startup), a Service, a PodDisruptionBudget (one unit
of deployment out at a time) and a HorizontalPodAutoscaler from autoscale.
The objects are checked first (selectors, drainable budgets, satisfiable
spread, autoscaler bounds, probe ports); nothing is written when a check
fails, and either every file is written or none.

Options:
  --out DIR          directory to write to (created when missing)
  --namespace NAME   namespace for every object (default: none)
  --image TEMPLATE   container image; {service} and {system} are replaced
                     (default {system}/{service}:latest)
  --port N           the container's HTTP port (default 8080)
  --cpu Q            CPU request per pod, a Kubernetes quantity (default 500m)
  --memory Q         memory request per pod, a Kubernetes quantity (default 512Mi)
  --liveness PATH    liveness endpoint (default /livez)
  -h, --help         show this help

Exit status: 0 written, 1 a check failed (nothing written), 2 invalid spec or options.
`;

/** A Kubernetes namespace: an RFC 1123 label. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A Kubernetes resource quantity (`500m`, `0.5`, `512Mi`, `1G`, `1e3`). */
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;
/** An image reference (with the {service} and {system} placeholders): no spaces or control characters. */
const IMAGE = /^[A-Za-z0-9{][A-Za-z0-9._\-/:@{}]*$/;

/**
 * `nines k8s FILE --out DIR`: Kubernetes manifests from the spec, checked,
 * then written all or nothing.
 *
 * @example
 * // nines k8s examples/clicktravel/nines.yaml --out out/k8s --image ghcr.io/acme/{service}:1.0
 */
export const k8s = defineCommand({
  name: "k8s",
  summary: "write Kubernetes manifests (Deployment, PDB, HPA, Service) for a spec",
  usage,
  options: {
    out: { type: "string" },
    namespace: { type: "string" },
    image: { type: "string" },
    port: { type: "string" },
    cpu: { type: "string" },
    memory: { type: "string" },
    liveness: { type: "string" },
  },
  async run(args, io) {
    const [file] = args.expect("FILE");
    const out = args.required("out", "DIR");
    const { namespace, image, cpu, memory, liveness } = args.values;
    if (namespace !== undefined && !NAMESPACE.test(namespace)) {
      throw args.error(
        `--namespace must be a DNS label (lower-case letters, digits and '-', at most 63), got ${JSON.stringify(namespace)}`,
        "pass e.g. --namespace travel",
      );
    }
    if (image !== undefined && !IMAGE.test(image)) {
      throw args.error(
        `--image must be an image reference without spaces or control characters, got ${JSON.stringify(image)}`,
        "pass e.g. --image ghcr.io/acme/{service}:1.0",
      );
    }
    for (const [name, value, example] of [
      ["cpu", cpu, "500m"],
      ["memory", memory, "512Mi"],
    ] as const) {
      if (value !== undefined && !QUANTITY.test(value)) {
        throw args.error(
          `--${name} must be a Kubernetes quantity, got ${JSON.stringify(value)}`,
          `pass e.g. --${name} ${example}`,
        );
      }
    }
    if (liveness !== undefined && !/^\/\S*$/.test(liveness)) {
      throw args.error(
        `--liveness must be a path starting with /, got ${JSON.stringify(liveness)}`,
        "pass e.g. --liveness /livez",
      );
    }
    const port = args.wholeNumber("port", 1);
    if (port !== undefined && port > 65_535) {
      throw args.error(`--port must be an integer in [1, 65535], got '${args.values.port}'`, "pass e.g. --port 8080");
    }
    const options: K8sOptions = {
      ...(namespace !== undefined && { namespace }),
      ...(image !== undefined && { image }),
      ...(port !== undefined && { port }),
      ...(cpu !== undefined && { cpu }),
      ...(memory !== undefined && { memory }),
      ...(liveness !== undefined && { liveness }),
    };
    const { spec } = await readSpec(io, file as string);
    const manifests = buildManifests(spec, options);
    const problems = checkManifests(manifests.flatMap((m) => m.objects));
    for (const p of problems) io.stderr.write(`nines k8s: ${p.severity}: ${p.object}: ${p.message}\n`);
    if (problems.some((p) => p.severity === "error")) {
      io.stderr.write("nines k8s: nothing written; fix the spec (or the options) and run again\n");
      return EXIT.findings;
    }
    const files = renderManifestFiles(manifests);
    const dir = resolve(io.cwd, out);
    await writeFiles(files.map((f) => ({ path: join(dir, f.path), shown: join(out, f.path), content: f.content })));
    const count = manifests.reduce((n, m) => n + m.objects.length, 0);
    io.stdout.write(
      `wrote ${plural(count, "object")} in ${plural(files.length, "file")} to ${out}: ${files.map((f) => f.path).join(", ")}\n`,
    );
    return EXIT.ok;
  },
});
