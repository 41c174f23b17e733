import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isNinesError } from "@nines/core";
import { Deployment as KDeployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler as KHpa } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget as KPdb } from "kubernetes-models/policy/v1";
import { Service as KService } from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";
import { buildSpec } from "../../test/support/build-spec.js";
import { loadSpec } from "../spec/load-spec.js";
import { checkManifests } from "./check-manifests.js";
import { buildManifests, type K8sOptions, kubeName } from "./manifests.js";
import { renderManifestFiles } from "./render-manifests.js";
import type { Deployment, HorizontalPodAutoscaler, Manifest, PodDisruptionBudget } from "./types.js";

/** Validates one object against the Kubernetes 1.27 JSON schemas; throws on a schema error. */
function validate(object: Manifest): void {
  const plain = JSON.parse(JSON.stringify(object));
  switch (object.kind) {
    case "Deployment":
      new KDeployment(plain).validate();
      break;
    case "Service":
      new KService(plain).validate();
      break;
    case "PodDisruptionBudget":
      new KPdb(plain).validate();
      break;
    case "HorizontalPodAutoscaler":
      new KHpa(plain).validate();
      break;
  }
}

function byKind<K extends Manifest["kind"]>(objects: Manifest[], kind: K): Extract<Manifest, { kind: K }>[] {
  return objects.filter((o): o is Extract<Manifest, { kind: K }> => o.kind === kind);
}

describe("buildManifests", () => {
  const spec = loadSpec(fileURLToPath(new URL("../../../../examples/clicktravel/nines.yaml", import.meta.url)));
  const manifests = buildManifests(spec, { namespace: "clicktravel", image: "ghcr.io/acme/{service}:1.0" });
  const all = manifests.flatMap((m) => m.objects);

  it("writes objects that pass the Kubernetes schemas and the semantic checks", () => {
    // web runs in two regions: one set of objects per region; the others in one.
    assert.deepEqual(
      manifests.map((m) => [m.service, m.region]),
      [
        ["web", "us-central1"],
        ["web", "europe-west2"],
        ["orders", "us-central1"],
        ["inventory", "us-central1"],
        ["analytics", "us-central1"],
      ],
    );
    for (const object of all) assert.doesNotThrow(() => validate(object), `${object.kind}/${object.metadata.name}`);
    assert.deepEqual(checkManifests(all), []);
    // The schema check has teeth: a wrong type fails it.
    const broken = structuredClone(all[0]!) as Deployment;
    (broken.spec as unknown as { replicas: string }).replicas = "eight";
    assert.throws(() => validate(broken));
  });

  it("sizes and spreads each Deployment as the spec says, one per region as a regional cluster runs it", () => {
    const webs = byKind(all, "Deployment").filter((d) => d.metadata.name === "web");
    assert.deepEqual(
      webs.map((d) => d.metadata.labels?.["topology.kubernetes.io/region"]),
      ["us-central1", "europe-west2"],
    );
    const web = webs[0]!;
    assert.equal(web.spec.replicas, 4); // 2 instances x its 2 zones in us-central1
    const pod = web.spec.template.spec;
    const zoneSpread = pod.topologySpreadConstraints[0]!;
    assert.deepEqual(
      {
        key: zoneSpread.topologyKey,
        skew: zoneSpread.maxSkew,
        when: zoneSpread.whenUnsatisfiable,
        min: zoneSpread.minDomains,
      },
      { key: "topology.kubernetes.io/zone", skew: 1, when: "DoNotSchedule", min: 2 },
    );
    const zonesOf = (d: Deployment) =>
      d.spec.template.spec.affinity?.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]
        ?.matchExpressions[0]?.values;
    assert.deepEqual(zonesOf(web), ["us-central1-a", "us-central1-b"]);
    assert.deepEqual(zonesOf(webs[1]!), ["europe-west2-a", "europe-west2-b"]);
    const container = pod.containers[0]!;
    assert.equal(container.image, "ghcr.io/acme/web:1.0");
    // The health paths @nines/guard serves: readiness from health.check, liveness and startup from run.
    assert.equal(container.readinessProbe?.httpGet.path, "/readyz");
    assert.equal(container.livenessProbe?.httpGet.path, "/livez");
    assert.equal(container.startupProbe?.httpGet.path, "/startupz");
    // startup 15s, probed every 5s, allowed twice that.
    assert.deepEqual([container.startupProbe?.periodSeconds, container.startupProbe?.failureThreshold], [5, 6]);
    assert.ok(container.resources.requests.cpu);
    assert.equal(web.metadata.namespace, "clicktravel");
  });

  it("lets one unit out at a time and never blocks a drain", () => {
    const pdbs = byKind(all, "PodDisruptionBudget");
    for (const pdb of pdbs) assert.equal(pdb.spec.maxUnavailable, 1);
    const zoned = buildSpec({
      regions: { r: ["a", "b", "c"] },
      services: [
        { name: "api", zones: ["a", "b", "c"], instances: 3, unit: "zone" },
        { name: "solo", zones: ["a"], instances: 1 },
      ],
    });
    const objects = buildManifests(zoned).flatMap((m) => m.objects);
    const [api, solo] = byKind(objects, "PodDisruptionBudget");
    assert.equal(api?.spec.maxUnavailable, 3); // a zone's worth
    assert.equal(solo?.spec.maxUnavailable, 1); // the single replica stays drainable
    assert.deepEqual(checkManifests(objects), []);
  });

  it("autoscales from the current replicas to max, on cpu or on requests per second", () => {
    const hpas = byKind(all, "HorizontalPodAutoscaler");
    assert.deepEqual(hpas.map((h) => h.metadata.name).sort(), ["orders", "web", "web"]);
    // max 16 in all, shared by the two regions in proportion to their zones (2 of 4 each).
    const webs = hpas.filter((h) => h.metadata.name === "web");
    assert.deepEqual(
      webs.map((h) => [h.spec.minReplicas, h.spec.maxReplicas]),
      [
        [4, 8],
        [4, 8],
      ],
    );
    const web = webs[0]!;
    assert.deepEqual(web.spec.metrics[0], {
      type: "Pods",
      pods: { metric: { name: "http_requests_per_second" }, target: { type: "AverageValue", averageValue: "350" } },
    });
    const orders = hpas.find((h) => h.metadata.name === "orders")!;
    assert.deepEqual(orders.spec.metrics[0], {
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } },
    });
  });

  it("renders one YAML file per service, in a folder per region, that parses back to the same objects", () => {
    const files = renderManifestFiles(manifests);
    assert.deepEqual(
      files.map((f) => f.path),
      [
        "us-central1/web.yaml",
        "europe-west2/web.yaml",
        "us-central1/orders.yaml",
        "us-central1/inventory.yaml",
        "us-central1/analytics.yaml",
      ],
    );
    // A spec with one region keeps one flat folder.
    const single = buildSpec({ regions: { r: ["a", "b"] }, services: [{ name: "api", zones: ["a", "b"] }] });
    assert.deepEqual(
      renderManifestFiles(buildManifests(single)).map((f) => f.path),
      ["api.yaml"],
    );
    const docs = parseAllDocuments(files[0]!.content).map((d) => d.toJS());
    assert.deepEqual(docs, JSON.parse(JSON.stringify(manifests[0]!.objects)));
  });

  it("takes liveness and startup paths from the spec's run when it names them, never probing liveness without autoheal", () => {
    const health = { check: "/ready", dependencies: true, autoheal: true };
    const run = {
      command: ["node", "api.js"],
      port: "PORT",
      env: {},
      health: { liveness: "/alive", readiness: "/ready", startup: "/started" },
      cwd: null,
    };
    const custom = buildSpec({
      regions: { r: ["a"] },
      services: [
        { name: "api", zones: ["a"], health, startupMs: 10_000, run },
        { name: "batch", zones: ["a"], health: { check: "/ready", dependencies: true, autoheal: false } },
      ],
    });
    const [api, batch] = byKind(
      buildManifests(custom).flatMap((m) => m.objects),
      "Deployment",
    ).map((d) => d.spec.template.spec.containers[0]!);
    assert.equal(api?.livenessProbe?.httpGet.path, "/alive");
    assert.equal(api?.startupProbe?.httpGet.path, "/started");
    assert.equal(batch?.livenessProbe, undefined);
    assert.equal(batch?.readinessProbe?.httpGet.path, "/ready");
    // The liveness option overrides every service's.
    const overridden = byKind(
      buildManifests(custom, { liveness: "/healthz" }).flatMap((m) => m.objects),
      "Deployment",
    )[0]!.spec.template.spec.containers[0]!;
    assert.equal(overridden.livenessProbe?.httpGet.path, "/healthz");
  });

  it("derives the termination grace period and a preStop hook from the drain, guard's defaults included", () => {
    const pod = (drain?: { delayMs: number; graceMs: number; cleanupTimeoutMs: number }) => {
      const s = buildSpec({
        regions: { r: ["a"] },
        services: [{ name: "api", zones: ["a"], ...(drain && { drain }) }],
      });
      return byKind(buildManifests(s)[0]!.objects, "Deployment")[0]!.spec.template.spec;
    };
    // Defaults (guard's): 5 s delay, 20 s grace, 5 s cleanup. The preStop sleep holds SIGTERM for the
    // delay; the guard then drains for delay + grace + cleanup; 5 s to exit: 5 + 30 + 5.
    const defaults = pod();
    assert.deepEqual(defaults.containers[0]!.lifecycle, { preStop: { exec: { command: ["sleep", "5"] } } });
    assert.equal(defaults.terminationGracePeriodSeconds, 40);
    assert.ok(defaults.terminationGracePeriodSeconds > 5 + 20 + 5);
    const long = pod({ delayMs: 10_000, graceMs: 60_000, cleanupTimeoutMs: 15_500 });
    assert.deepEqual(long.containers[0]!.lifecycle?.preStop.exec.command, ["sleep", "10"]);
    assert.equal(long.terminationGracePeriodSeconds, 10 + 86 + 5);
    // No delay: no preStop hook.
    assert.equal(pod({ delayMs: 0, graceMs: 1000, cleanupTimeoutMs: 0 }).containers[0]!.lifecycle, undefined);
    for (const object of buildManifests(
      buildSpec({ regions: { r: ["a"] }, services: [{ name: "x", zones: ["a"] }] }),
    )[0]!.objects)
      assert.doesNotThrow(() => validate(object));
  });

  it("rejects options Kubernetes would reject, naming the option", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ namespace: "Bad Name!" }, /namespace must be a DNS label/],
      [{ namespace: "x".repeat(64) }, /namespace/],
      [{ cpu: "lots" }, /cpu must be a Kubernetes quantity/],
      [{ memory: "512 MiB" }, /memory/],
      [{ image: "ghcr.io/acme/web:1\nkind: Secret" }, /image must be an image reference/],
      [{ image: "a b" }, /image/],
      [{ port: 0 }, /port/],
      [{ liveness: "livez" }, /liveness/],
      [{ namepsace: "travel" }, /unknown option namepsace/],
    ];
    for (const [options, message] of bad) {
      assert.throws(
        () => buildManifests(spec, options as K8sOptions),
        (e) => isNinesError(e, "NINES_OPTION_INVALID") && message.test(e.message),
        JSON.stringify(options),
      );
    }
    assert.doesNotThrow(() => buildManifests(spec, { namespace: "travel", cpu: "0.5", memory: "1Gi" }));
  });

  it("makes names Kubernetes accepts", () => {
    assert.equal(kubeName("ClickTravel"), "clicktravel");
    assert.equal(kubeName("Orders_DB v2"), "orders-db-v2");
    assert.equal(kubeName("x".repeat(80)).length, 63);
  });
});

describe("checkManifests", () => {
  const spec = buildSpec({
    regions: { r: ["a", "b"] },
    services: [{ name: "api", zones: ["a", "b"], instances: 2 }],
  });
  const fresh = (): Manifest[] => structuredClone(buildManifests(spec).flatMap((m) => m.objects));
  const deployment = (objects: Manifest[]) => objects.find((o): o is Deployment => o.kind === "Deployment")!;
  const pdb = (objects: Manifest[]) => objects.find((o): o is PodDisruptionBudget => o.kind === "PodDisruptionBudget")!;
  const hpa = (objects: Manifest[]) =>
    objects.find((o): o is HorizontalPodAutoscaler => o.kind === "HorizontalPodAutoscaler")!;
  const messages = (objects: Manifest[]) =>
    checkManifests(objects).map((p) => `${p.severity} ${p.object}: ${p.message}`);

  it("passes the generated objects", () => {
    assert.deepEqual(messages(fresh()), []);
  });

  it("checks the objects of thousands of services in time linear in their number", () => {
    // The fastest of three runs at 1,000 and at 4,000 services: 4x the objects may take about 4x the time
    // (a check that compared every Service with every Deployment took 16x, 7 s at 4,000).
    const fastest = (services: number): number => {
      const many = buildSpec({
        regions: { r: ["a", "b"] },
        services: Array.from({ length: services }, (_, i) => ({ name: `s${i}`, zones: ["a", "b"], instances: 2 })),
      });
      const objects = buildManifests(many).flatMap((m) => m.objects);
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        assert.equal(checkManifests(objects).length, 0);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const small = fastest(1000);
    const large = fastest(4000);
    assert.ok(large < 9 * small, `1,000 services: ${small.toFixed(0)} ms; 4,000: ${large.toFixed(0)} ms`);
  });

  it("finds selectors that miss their pods", () => {
    const objects = fresh();
    deployment(objects).spec.template.metadata.labels = { "app.kubernetes.io/name": "other" };
    const found = messages(objects);
    assert.ok(
      found.some((m) => m.includes("Deployment/api: selector does not match")),
      found.join("\n"),
    );
    assert.ok(
      found.some((m) => m.startsWith("error Service/api: selector matches no Deployment")),
      found.join("\n"),
    );
    assert.ok(
      found.some((m) => m.startsWith("error PodDisruptionBudget/api: selector matches no")),
      found.join("\n"),
    );
  });

  it("finds a budget that blocks every drain, including on a single replica", () => {
    const objects = fresh();
    pdb(objects).spec = { minAvailable: 4, selector: pdb(objects).spec.selector };
    assert.match(messages(objects).join("\n"), /allows 0 of 4 pods out: every node drain would block/);
    const single = structuredClone(
      buildManifests(
        buildSpec({ regions: { r: ["a"] }, services: [{ name: "solo", zones: ["a"], instances: 1 }] }),
      ).flatMap((m) => m.objects),
    );
    pdb(single).spec = { minAvailable: 1, selector: pdb(single).spec.selector };
    assert.match(messages(single).join("\n"), /allows 0 of 1 pod out/);
    pdb(single).spec = { maxUnavailable: "0%", selector: pdb(single).spec.selector };
    assert.match(messages(single).join("\n"), /allows 0 of 1 pod out/);
  });

  it("finds spread constraints that cannot be satisfied with the zones given", () => {
    const objects = fresh();
    const pod = deployment(objects).spec.template.spec;
    pod.topologySpreadConstraints[0]!.minDomains = 3; // only a and b allowed, 4 replicas
    assert.match(
      messages(objects).join("\n"),
      /spread needs 3 zones but node affinity allows 2 \(a, b\): only 2 of 4 replicas/,
    );
  });

  it("finds autoscaler bounds that contradict the sizing", () => {
    const objects = fresh();
    hpa(objects).spec.maxReplicas = 3;
    assert.match(messages(objects).join("\n"), /minReplicas 4 is above maxReplicas 3/);
    const lower = fresh();
    hpa(lower).spec.minReplicas = 2;
    assert.match(messages(lower).join("\n"), /minReplicas 2 is below the Deployment's 4 replicas/);
  });

  it("finds probes on a port the container does not have", () => {
    const objects = fresh();
    const container = deployment(objects).spec.template.spec.containers[0]!;
    container.readinessProbe!.httpGet.port = "metrics";
    container.livenessProbe!.httpGet.port = 9090;
    const found = messages(objects).join("\n");
    assert.match(found, /readinessProbe port metrics is not a port of the container \(http:8080\)/);
    assert.match(found, /livenessProbe port 9090 is not a port/);
    delete container.readinessProbe;
    assert.match(messages(objects).join("\n"), /warning Deployment\/api: api: no readiness probe/);
  });
});
