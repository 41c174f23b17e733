import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { DRILL_ERRORS } from "../src/errors.js";
import { isAlive } from "../src/process/process-owner.js";
import { RunDirectory } from "../src/process/run-directory.js";
import type { ServiceRun, SupervisorEvents } from "../src/process/service-run.js";
import { Supervisor } from "../src/process/supervisor.js";
import { allDead, eventually, getJson, killAll, SERVICE, tempDir } from "./support.js";

const A = { zone: "zone-a", region: "r1", instances: 1 };
const B = { zone: "zone-b", region: "r1", instances: 1 };

async function harness(t: { after: (fn: () => Promise<void>) => void }, services: ServiceRun[]) {
  const dir = tempDir();
  const run = await RunDirectory.open(dir.path, { graceMs: 1000 });
  const supervisor = new Supervisor({ run, services });
  const events: { type: keyof SupervisorEvents; event: Record<string, unknown> }[] = [];
  for (const type of ["starting", "ready", "exit", "replacing"] as const) {
    supervisor.on(type, (event) => events.push({ type, event }));
  }
  const pids = () => supervisor.instances().flatMap((i) => (i.pid === null ? [] : [i.pid]));
  const seen = new Set<number>();
  supervisor.on("starting", (e) => seen.add(e.pid));
  t.after(async () => {
    await supervisor.stop();
    await run.close();
    killAll([...seen]);
    dir.remove();
  });
  return { run, supervisor, events, pids, seen };
}

function service(overrides: Partial<ServiceRun> = {}): ServiceRun {
  return {
    service: "web",
    command: process.execPath,
    args: [SERVICE],
    placement: [A, B],
    replaceDelayMs: 300,
    liveness: { intervalMs: 100, timeoutMs: 500, failureThreshold: 2 },
    stopGraceMs: 1000,
    ...overrides,
  };
}

describe("Supervisor", () => {
  it("starts each instance in its zone with ZONE, REGION, INSTANCE and the port variable", async (t) => {
    const { supervisor } = await harness(t, [
      service({ portVariable: "HTTP_PORT", env: { FIXTURE_PORT_VAR: "HTTP_PORT" } }),
    ]);
    await supervisor.start();
    const instances = supervisor.instances();
    assert.deepEqual(
      instances.map((i) => [i.id, i.state]),
      [
        ["web-zone-a-0", "ready"],
        ["web-zone-b-0", "ready"],
      ],
    );
    for (const instance of instances) {
      const who = await getJson<Record<string, unknown>>(`${instance.url}/whoami`);
      assert.equal(who["zone"], instance.zone);
      assert.equal(who["region"], "r1");
      assert.equal(who["instance"], instance.id);
      assert.equal(who["port"], instance.port);
      assert.equal(who["pid"], instance.pid);
    }
  });

  it("replaces a killed instance after replaceDelayMs, on the same port, and reports the time to replace", async (t) => {
    const { supervisor, events } = await harness(t, [service({ placement: [A] })]);
    await supervisor.start();
    const before = supervisor.instances()[0]!;
    await supervisor.killInstance("web-zone-a-0");
    assert.equal(isAlive(before.pid!), false);
    assert.ok(
      await eventually(
        () => supervisor.instances()[0]!.state === "ready" && supervisor.instances()[0]!.generation === 1,
      ),
    );
    const after = supervisor.instances()[0]!;
    assert.equal(after.port, before.port);
    assert.notEqual(after.pid, before.pid);
    const exit = events.find((e) => e.type === "exit")!.event;
    const ready = events.filter((e) => e.type === "ready")[1]!.event;
    assert.equal(exit["reason"], "killed");
    assert.equal(exit["signal"], "SIGKILL");
    assert.ok((ready["at"] as number) - (exit["at"] as number) >= 300, "waited the start-up delay");
  });

  it("replaces an instance that fails liveness failureThreshold times", async (t) => {
    const { supervisor, events } = await harness(t, [service({ placement: [A] })]);
    await supervisor.start();
    await fetch(`${supervisor.instances()[0]!.url}/fail-liveness`);
    assert.ok(
      await eventually(
        () => supervisor.instances()[0]!.generation === 1 && supervisor.instances()[0]!.state === "ready",
      ),
    );
    assert.equal(events.find((e) => e.type === "exit")!.event["reason"], "liveness");
  });

  it("replaces an instance that crashes by itself", async (t) => {
    const { supervisor, events } = await harness(t, [service({ placement: [A] })]);
    await supervisor.start();
    process.kill(supervisor.instances()[0]!.pid!, "SIGKILL");
    assert.ok(
      await eventually(
        () => supervisor.instances()[0]!.generation === 1 && supervisor.instances()[0]!.state === "ready",
      ),
    );
    assert.equal(events.find((e) => e.type === "exit")!.event["reason"], "crashed");
  });

  it("loses a zone (no replacement there) and restores it", async (t) => {
    const { supervisor } = await harness(t, [service({ placement: [{ ...A, instances: 2 }, B] })]);
    await supervisor.start();
    const lost = supervisor.instances().filter((i) => i.zone === "zone-a");
    await supervisor.killZone("zone-a");
    assert.ok(lost.every((i) => !isAlive(i.pid!)));
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual(
      supervisor.instances().map((i) => i.state),
      ["down", "down", "ready"],
    );
    assert.deepEqual(supervisor.lostZones(), ["zone-a"]);
    await supervisor.restoreZone("zone-a");
    assert.deepEqual(
      supervisor.instances().map((i) => i.state),
      ["ready", "ready", "ready"],
    );
  });

  it("scales a service in a zone up (ready when it returns) and down (clean stops of the last ones)", async (t) => {
    const { supervisor, events } = await harness(t, [service({ placement: [A, B] })]);
    await supervisor.start();
    const up = await supervisor.setInstances("web", "zone-a", 3);
    assert.deepEqual(
      up.map((i) => [i.id, i.state]),
      [
        ["web-zone-a-0", "ready"],
        ["web-zone-a-1", "ready"],
        ["web-zone-a-2", "ready"],
      ],
    );
    assert.equal(new Set(up.map((i) => i.port)).size, 3);
    const down = await supervisor.setInstances("web", "zone-a", 1);
    assert.deepEqual(
      down.map((i) => i.id),
      ["web-zone-a-0"],
    );
    assert.ok(up.slice(1).every((i) => !isAlive(i.pid!)));
    const stopped = events.filter((e) => e.type === "exit").map((e) => [e.event["instance"], e.event["reason"]]);
    assert.deepEqual(stopped.sort(), [
      ["web-zone-a-1", "stopped"],
      ["web-zone-a-2", "stopped"],
    ]);
    assert.deepEqual(
      supervisor.instances().map((i) => i.id),
      ["web-zone-a-0", "web-zone-b-0"],
    );
    await assert.rejects(supervisor.setInstances("web", "zone-z", 1), /not placed in zone "zone-z"/);
  });

  it("restarts an instance that the autoscaler removes meanwhile without failing", async (t) => {
    // The readiness delay keeps the restarted process starting while the scale-down stops it.
    const { supervisor } = await harness(t, [service({ placement: [A], env: { READY_DELAY_MS: "600" } })]);
    await supervisor.start();
    await supervisor.setInstances("web", "zone-a", 2);
    const restarted = supervisor.restartInstance("web-zone-a-1");
    await eventually(() => supervisor.instances().find((i) => i.id === "web-zone-a-1")?.state === "starting", 5000);
    await supervisor.setInstances("web", "zone-a", 1);
    await restarted; // before: "web-zone-a-1 exited while starting"
    assert.deepEqual(
      supervisor.instances().map((i) => [i.id, i.state]),
      [["web-zone-a-0", "ready"]],
    );
  });

  it("stops cleanly: SIGTERM drains, SIGKILL after the grace ends what ignores it, grandchildren too", async (t) => {
    const { supervisor, run } = await harness(t, [
      service({ service: "ok", placement: [A] }),
      service({ service: "stubborn", placement: [B], env: { IGNORE_TERM: "1", SPAWN_CHILD: "1" }, stopGraceMs: 400 }),
    ]);
    await supervisor.start();
    const [ok, stubborn] = supervisor.instances();
    const grandchild = Number(
      /grandchild (\d+)/.exec(readFileSync(run.file("logs", `${stubborn!.id}.log`), "utf8"))?.[1],
    );
    assert.ok(isAlive(grandchild));
    const exits: Record<string, unknown>[] = [];
    supervisor.on("exit", (e) => exits.push(e));
    await supervisor.stop();
    assert.ok(!isAlive(ok!.pid!) && !isAlive(stubborn!.pid!));
    assert.ok(await allDead([grandchild], 2000), "the grandchild died with its group");
    const byName = Object.fromEntries(exits.map((e) => [e["instance"], e]));
    assert.equal(byName["ok-zone-a-0"]?.["code"], 0, "drained and exited by itself");
    assert.equal(byName["stubborn-zone-b-0"]?.["signal"], "SIGKILL");
    assert.deepEqual(run.registered(), []);
  });

  it("fails start with a coded error naming the instance and its log", async (t) => {
    const { supervisor } = await harness(t, [service({ placement: [A], args: ["-e", "process.exit(3)"] })]);
    await assert.rejects(supervisor.start(), (error: unknown) => {
      assert.ok(isNinesError(error, DRILL_ERRORS.instanceStart));
      assert.match(error.message, /web-zone-a-0 exited while starting/);
      assert.match(error.hint ?? "", /logs\/web-zone-a-0\.log/);
      return true;
    });
  });

  it("rejects an unknown instance or zone with the known names", async (t) => {
    const { supervisor } = await harness(t, [service({ placement: [A] })]);
    await supervisor.start();
    await assert.rejects(supervisor.killInstance("web-zone-z-0"), /no instance "web-zone-z-0"/);
    await assert.rejects(
      supervisor.killZone("zone-z"),
      (e: unknown) => isNinesError(e, DRILL_ERRORS.unknownName) && /zone-a/.test(e.hint ?? ""),
    );
  });
});
