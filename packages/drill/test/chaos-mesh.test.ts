import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildManifests, loadSpec } from "@nines/planner";
import { parseAllDocuments } from "yaml";
import { buildChaosExperiments } from "../src/chaos-mesh/build-chaos.js";
import type { ChaosObject, NetworkChaos, PodChaos, Schedule, Workflow } from "../src/chaos-mesh/chaos-types.js";
import { checkChaos } from "../src/chaos-mesh/check-chaos.js";
import { renderChaosFiles } from "../src/chaos-mesh/render-chaos.js";

const SPEC = new URL("../../../examples/clicktravel/nines.yaml", import.meta.url).pathname;

function plan(namespace?: string) {
  const spec = loadSpec(SPEC);
  const manifests = buildManifests(spec, namespace ? { namespace } : {});
  return { spec, manifests, plan: buildChaosExperiments(spec, manifests, { durationMs: 90_000, pauseMs: 30_000 }) };
}

function all(p: ReturnType<typeof plan>["plan"]): ChaosObject[] {
  return [...p.scenarios.flatMap((s) => s.objects), p.workflow, ...p.schedules];
}

describe("Chaos Mesh export", () => {
  it("writes ClickTravel's scenarios, valid against Chaos Mesh's CRD schemas", () => {
    const { plan: p, spec } = plan("clicktravel");
    assert.deepEqual(checkChaos(all(p)), []);
    const names = p.scenarios.map((s) => s.name);
    for (const service of spec.services) assert.ok(names.includes(`instance-loss-${service.name}`), service.name);
    assert.ok(names.includes("zone-loss-us-central1-a"));
    assert.ok(names.includes("region-loss-europe-west2"));
    assert.ok(names.includes("dependency-slow-inventory"));
    assert.ok(p.skipped.some((s) => s.scenario.includes("orders-db")));
  });

  it("aims at the pods nines k8s writes: their labels, namespace and zone nodes", () => {
    const { plan: p, manifests } = plan("clicktravel");
    const web = manifests.find((m) => m.service === "web")!.objects.find((o) => o.kind === "Deployment")!;
    assert.equal(web.kind, "Deployment");
    const podLabels = web.kind === "Deployment" ? web.spec.template.metadata.labels : {};
    const kill = p.scenarios.find((s) => s.name === "instance-loss-web")!.objects[0] as PodChaos;
    assert.deepEqual(kill.spec.selector.labelSelectors, web.kind === "Deployment" ? web.spec.selector.matchLabels : {});
    for (const [k, v] of Object.entries(kill.spec.selector.labelSelectors ?? {})) assert.equal(podLabels[k], v);
    assert.deepEqual(kill.spec.selector.namespaces, ["clicktravel"]);
    assert.equal(kill.metadata.namespace, "clicktravel");
    const zone = p.scenarios.find((s) => s.name === "zone-loss-us-central1-a")!;
    const [podKill, partition] = zone.objects as [PodChaos, NetworkChaos];
    assert.deepEqual(podKill.spec.selector.nodeSelectors, { "topology.kubernetes.io/zone": "us-central1-a" });
    assert.equal(podKill.spec.mode, "all");
    assert.equal(
      podLabels["app.kubernetes.io/part-of"],
      podKill.spec.selector.labelSelectors?.["app.kubernetes.io/part-of"],
    );
    assert.equal(partition.spec.action, "partition");
    assert.equal(partition.spec.direction, "both");
    assert.equal(partition.spec.duration, "90s");
  });

  it("runs every scenario in the workflow, each followed by a recovery pause", () => {
    const { plan: p } = plan();
    const root = p.workflow.spec.templates.find((t) => t.name === p.workflow.spec.entry)!;
    assert.equal(root.templateType, "Serial");
    assert.equal(root.children?.length, p.scenarios.length * 2);
    const pause = p.workflow.spec.templates.find((t) => t.name === root.children?.[1])!;
    assert.deepEqual([pause.templateType, pause.deadline], ["Suspend", "30s"]);
    assert.ok(p.schedules.every((s) => s.spec.type === "PodChaos" && s.spec.podChaos?.action === "pod-kill"));
  });

  it("renders YAML files that parse back to the same objects", () => {
    const { plan: p } = plan();
    const files = renderChaosFiles(p);
    assert.equal(files.length, p.scenarios.length + 2);
    const zone = files.find((f) => f.path === "zone-loss-us-central1-b.yaml")!;
    const parsed = parseAllDocuments(zone.content).map((d) => d.toJSON());
    assert.deepEqual(parsed, p.scenarios.find((s) => s.name === "zone-loss-us-central1-b")!.objects);
  });

  it("rejects what Chaos Mesh would: unknown fields, wrong enums, bad durations, broken references", () => {
    const { plan: p } = plan();
    const kill = structuredClone(p.scenarios[0]!.objects[0]) as PodChaos;
    (kill.spec.selector as Record<string, unknown>)["labelSelector"] = { a: "b" };
    (kill.spec as { mode: string }).mode = "some";
    const delay = structuredClone(p.scenarios.find((s) => s.kind === "dependency-fault")!.objects[0]) as NetworkChaos;
    delay.spec.duration = "1 minute";
    delete delay.spec.delay;
    const schedule = structuredClone(p.schedules[0]) as Schedule;
    schedule.spec.type = "NetworkChaos";
    const workflow = structuredClone(p.workflow) as Workflow;
    workflow.spec.templates[0]!.children!.push("missing");
    const problems = checkChaos([kill, delay, schedule, workflow]);
    const said = problems.map((x) => `${x.object} ${x.path} ${x.message}`).join("\n");
    assert.match(said, /PodChaos\/\S+ \/spec\/selector must NOT have additional properties: labelSelector/);
    assert.match(said, /PodChaos\/\S+ \/spec\/mode must be equal to one of the allowed values/);
    assert.match(said, /NetworkChaos\/\S+ \/spec\/duration not a Go duration: 1 minute/);
    assert.match(said, /NetworkChaos\/\S+ \/spec\/delay\/latency a delay needs delay.latency/);
    assert.match(said, /Schedule\/\S+ \/spec\/networkChaos type NetworkChaos needs spec.networkChaos/);
    assert.match(said, /Workflow\/\S+ \/spec\/templates\/0\/children no template named missing/);
  });
});
