import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const runner = fileURLToPath(new URL("./run-nines.ts", import.meta.url));

function nines(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=source", "--import", "tsx", runner, ...args],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

// autoscale.max below the replicas it starts with: the HPA check must refuse it.
const CONTRADICTORY = `name: Tight
platform:
  regions:
    r1: [r1-a, r1-b]
services:
  api:
    zones: [r1-a, r1-b]
    instances: 3
    capacity: 100
    load: 100
    health: { check: /ready, dependencies: true, autoheal: true }
    autoscale: { metric: requests-per-second, target: 70, max: 4 }
`;

describe("nines k8s (a real process)", { concurrency: true }, () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "nines-k8s-"));
    await writeFile(join(dir, "tight.yaml"), CONTRADICTORY);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one checked YAML file per service of the example", async () => {
    const out = join(dir, "k8s");
    const r = await nines([
      "k8s",
      "examples/clicktravel/nines.yaml",
      "--out",
      out,
      "--namespace",
      "travel",
      "--image",
      "ghcr.io/acme/{service}:2.1",
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((await readdir(out)).sort(), ["analytics.yaml", "inventory.yaml", "orders.yaml", "web.yaml"]);
    const docs = parseAllDocuments(await readFile(join(out, "web.yaml"), "utf8")).map((d) => d.toJS());
    assert.deepEqual(
      docs.map((d) => d.kind),
      ["Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"],
    );
    assert.equal(docs[0].spec.replicas, 8);
    assert.equal(docs[0].metadata.namespace, "travel");
    assert.equal(docs[0].spec.template.spec.containers[0].image, "ghcr.io/acme/web:2.1");
    assert.deepEqual([docs[3].spec.minReplicas, docs[3].spec.maxReplicas], [8, 16]);
    // inventory does not autoscale: no HPA.
    const inventory = parseAllDocuments(await readFile(join(out, "inventory.yaml"), "utf8")).map((d) => d.toJS().kind);
    assert.ok(!inventory.includes("HorizontalPodAutoscaler"));
  });

  it("exits 1 and writes nothing when a check fails", async () => {
    const out = join(dir, "tight-out");
    const r = await nines(["k8s", join(dir, "tight.yaml"), "--out", out]);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /error: HorizontalPodAutoscaler\/api: minReplicas 6 is above maxReplicas 4; raise autoscale\.max to at least 6/,
    );
    await assert.rejects(readdir(out), { code: "ENOENT" });
  });

  it("exits 2 on bad options or an invalid spec", async () => {
    assert.equal((await nines(["k8s", "examples/clicktravel/nines.yaml"])).status, 2);
    assert.equal((await nines(["k8s", "examples/clicktravel/nines.yaml", "--out", dir, "--port", "0"])).status, 2);
    await writeFile(join(dir, "bad.yaml"), "name: x\nservicez: {}\n");
    const bad = await nines(["k8s", join(dir, "bad.yaml"), "--out", dir]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /bad\.yaml:2:1: /);
  });
});
