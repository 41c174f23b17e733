import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
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

/** Runs `nines ARGS` as a real process with `input` on its standard input. */
function ninesWithInput(args: string[], input: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--conditions=source", "--import", "tsx", runner, ...args],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
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
    assert.deepEqual((await readdir(out)).sort(), ["europe-west2", "us-central1"], "a folder per region");
    assert.deepEqual((await readdir(join(out, "us-central1"))).sort(), [
      "analytics.yaml",
      "inventory.yaml",
      "orders.yaml",
      "web.yaml",
    ]);
    const docs = parseAllDocuments(await readFile(join(out, "us-central1", "web.yaml"), "utf8")).map((d) => d.toJS());
    assert.deepEqual(
      docs.map((d) => d.kind),
      ["Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"],
    );
    assert.equal(docs[0].spec.replicas, 4);
    assert.equal(docs[0].metadata.namespace, "travel");
    assert.equal(docs[0].spec.template.spec.containers[0].image, "ghcr.io/acme/web:2.1");
    assert.deepEqual([docs[3].spec.minReplicas, docs[3].spec.maxReplicas], [4, 8]);
    // inventory does not autoscale: no HPA.
    const inventory = parseAllDocuments(await readFile(join(out, "us-central1", "inventory.yaml"), "utf8")).map(
      (d) => d.toJS().kind,
    );
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

  it("refuses a bad namespace, CPU, memory, image or liveness path with the option's name, writing nothing", async () => {
    const out = join(dir, "refused");
    const cases: [string[], RegExp][] = [
      [["--namespace", "Bad Name!"], /--namespace must be a DNS label .*got "Bad Name!"/],
      [["--cpu", "lots"], /--cpu must be a Kubernetes quantity, got "lots"\n {2}hint: pass e\.g\. --cpu 500m/],
      [["--memory", "512 MB"], /--memory must be a Kubernetes quantity/],
      [
        ["--image", "acme/web:1\nkind: Secret"],
        /--image must be an image reference .*got "acme\/web:1\\nkind: Secret"/,
      ],
      [["--liveness", "livez"], /--liveness must be a path starting with \//],
    ];
    for (const [option, message] of cases) {
      const r = await nines(["k8s", "examples/clicktravel/nines.yaml", "--out", out, ...option]);
      assert.equal(r.status, 2, option.join(" "));
      assert.match(r.stderr, new RegExp(`^error NINES_CLI_USAGE: nines k8s: ${message.source}`));
    }
    await assert.rejects(readdir(out), { code: "ENOENT" });
  });

  it("writes every file or none: when one cannot be written, the others keep their old content", async () => {
    const out = join(dir, "partial");
    const region = join(out, "us-central1");
    await mkdir(join(region, "orders.yaml"), { recursive: true }); // a directory where a file must go
    await writeFile(join(region, "web.yaml"), "old\n");
    const r = await nines(["k8s", "examples/clicktravel/nines.yaml", "--out", out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /^error NINES_CLI_WRITE_FAILED: cannot write .*orders\.yaml \(EISDIR\); nothing was written\n/,
    );
    assert.equal(await readFile(join(region, "web.yaml"), "utf8"), "old\n");
    assert.deepEqual((await readdir(region)).sort(), ["orders.yaml", "web.yaml"], "no new or temporary file is left");
    assert.deepEqual(await readdir(out), ["us-central1"], "the folder it created for the other region is gone");
  });

  it("reads the spec from standard input with -", async () => {
    const out = join(dir, "from-stdin");
    const spec = await readFile(join(root, "examples/clicktravel/nines.yaml"), "utf8");
    const r = await ninesWithInput(["k8s", "-", "--out", out], spec);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((await readdir(out)).sort(), ["europe-west2", "us-central1"]);
    assert.equal((await readdir(join(out, "us-central1"))).length, 4);
  });
});
