// Writes the Chaos Mesh CRD schemas that `nines drill --emit chaos-mesh`
// validates against, from a checkout of chaos-mesh/chaos-mesh:
//   node --import tsx packages/drill/scripts/extract-chaos-crds.ts <chaos-mesh>/config/crd/bases <commit>
//   npx biome format --write packages/drill/schema
// Each CRD's v1alpha1 openAPIV3Schema is kept as JSON Schema, with the
// descriptions and the status removed, embedded chaos kinds other than
// PodChaos and NetworkChaos removed (nines writes no other), and unknown
// fields rejected (additionalProperties: false) so that a misspelt field fails.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const [source, commit] = process.argv.slice(2);
if (!source || !commit) throw new Error("usage: extract-chaos-crds.ts <crd bases dir> <commit>");
const out = new URL("../schema/chaos-mesh/", import.meta.url).pathname;
const KEPT_KINDS = new Set(["podChaos", "networkChaos"]);
const DROPPED = new Set([
  "awsChaos",
  "azureChaos",
  "blockChaos",
  "dnsChaos",
  "gcpChaos",
  "httpChaos",
  "ioChaos",
  "jvmChaos",
  "kernelChaos",
  "physicalmachineChaos",
  "stressChaos",
  "timeChaos",
]);

type Schema = Record<string, unknown>;

function prune(node: unknown, path: string[]): unknown {
  if (Array.isArray(node)) return node.map((n, i) => prune(n, [...path, String(i)]));
  if (typeof node !== "object" || node === null) return node;
  const schema = node as Schema;
  const result: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "description" || key.startsWith("x-kubernetes-")) continue;
    if (key === "properties") {
      const properties: Schema = {};
      for (const [name, child] of Object.entries(value as Schema)) {
        if (DROPPED.has(name) && !KEPT_KINDS.has(name)) continue;
        // A Schedule's embedded workflow and a workflow's task container or nested schedule: not written by nines.
        if (
          (name === "workflow" || name === "task" || name === "schedule") &&
          path.includes("spec") &&
          typeof child === "object" &&
          (child as Schema)["type"] === "object"
        )
          continue;
        properties[name] = prune(child, [...path, name]);
      }
      result[key] = properties;
      continue;
    }
    result[key] = prune(value, [...path, key]);
  }
  // OpenAPI 3.0 writes exclusive bounds as booleans beside minimum/maximum; JSON Schema as the bound itself.
  for (const [exclusive, bound] of [
    ["exclusiveMinimum", "minimum"],
    ["exclusiveMaximum", "maximum"],
  ] as const) {
    if (typeof result[exclusive] !== "boolean") continue;
    if (result[exclusive] === true) result[exclusive] = result[bound];
    else delete result[exclusive];
    if (result[exclusive] !== undefined) delete result[bound];
  }
  const preserves = schema["x-kubernetes-preserve-unknown-fields"] === true;
  if (result["properties"] && result["additionalProperties"] === undefined && !preserves) {
    result["additionalProperties"] = false;
  }
  if (Array.isArray(result["required"]) && result["properties"]) {
    result["required"] = (result["required"] as string[]).filter((r) => r in (result["properties"] as Schema));
  }
  return result;
}

for (const [file, kind] of [
  ["chaos-mesh.org_podchaos.yaml", "PodChaos"],
  ["chaos-mesh.org_networkchaos.yaml", "NetworkChaos"],
  ["chaos-mesh.org_schedules.yaml", "Schedule"],
  ["chaos-mesh.org_workflows.yaml", "Workflow"],
] as const) {
  const crd = parse(readFileSync(join(source, file), "utf8"));
  const version = crd.spec.versions.find((v: { name: string }) => v.name === "v1alpha1");
  const schema = structuredClone(version.schema.openAPIV3Schema) as Schema;
  delete (schema["properties"] as Schema)["status"];
  const pruned = prune(schema, []) as Schema;
  const document = {
    $comment: `Derived from Chaos Mesh (Apache-2.0, see LICENSE here) ${file} at ${commit}: v1alpha1 openAPIV3Schema, descriptions and status removed, kinds other than PodChaos/NetworkChaos removed, unknown fields rejected.`,
    ...pruned,
  };
  writeFileSync(join(out, `${kind}.json`), `${JSON.stringify(document)}\n`);
  console.log(`${kind}: ${JSON.stringify(document).length} bytes`);
}
