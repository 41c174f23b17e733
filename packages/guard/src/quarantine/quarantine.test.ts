import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ManualClock } from "@nines/core";
import { Quarantine } from "./quarantine.js";

const dir = mkdtempSync(join(tmpdir(), "nines-qod-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("Quarantine", () => {
  it("quarantines a fingerprint after N strikes of one kind within the window, for the quarantine period", async () => {
    const clock = new ManualClock(0);
    const lines: string[] = [];
    const qod = new Quarantine({
      clock,
      log: (l) => lines.push(l),
      strikes: { cpu: 3 },
      windowMs: 60_000,
      quarantineMs: 300_000,
      limits: { cpuMs: 100 },
    });
    const fp = "GET /search|q=evil";
    for (let i = 0; i < 2; i++) qod.watch(fp).finish({ elapsedMs: 150, cpuMs: 150 });
    assert.equal(qod.check(fp), null, "two strikes are not enough");
    qod.watch(fp).finish({ elapsedMs: 50, cpuMs: 50 }); // within limits: no strike
    assert.equal(qod.check(fp), null);
    qod.watch(fp).finish({ elapsedMs: 150, cpuMs: 101 });
    assert.deepEqual(qod.check(fp), { retryAfterMs: 300_000 });
    assert.equal(qod.check("GET /search|q=fine"), null, "other requests are unaffected");
    assert.match(lines[0] ?? "", /quarantined query of death "GET \/search\|q=evil" for 5 min after 3 cpu strikes/);
    await clock.advance(300_000);
    assert.equal(qod.check(fp), null, "the quarantine ends");
  });

  it("counts a handler that threw as an `error` strike and reports each step through on()", async () => {
    const clock = new ManualClock(1000);
    const qod = new Quarantine({ clock, log: () => {}, strikes: { error: 2 }, quarantineMs: 60_000 });
    const seen: string[] = [];
    qod.on("strike", (e) => seen.push(`strike ${e.reason} ${e.count}`));
    qod.on("quarantined", (e) => seen.push(`quarantined ${e.reason} ${e.strikes} until ${e.expiresAt}`));
    const off = qod.on("refused", (e) => seen.push(`refused ${e.retryAfterMs}`));
    qod.watch("GET /export").finish({ elapsedMs: 3, threw: true });
    assert.equal(qod.check("GET /export"), null);
    qod.watch("GET /export").finish({ elapsedMs: 3, threw: true });
    assert.deepEqual(qod.check("GET /export"), { retryAfterMs: 60_000 });
    off();
    qod.check("GET /export");
    assert.deepEqual(seen, ["strike error 1", "strike error 2", "quarantined error 2 until 61000", "refused 60000"]);
  });

  it("forgets strikes older than the window", async () => {
    const clock = new ManualClock(0);
    const qod = new Quarantine({ clock, log: () => {}, strikes: { timeout: 2 }, windowMs: 1000 });
    qod.watch("a").finish({ elapsedMs: 5000, timedOut: true });
    await clock.advance(1000);
    qod.watch("a").finish({ elapsedMs: 5000, timedOut: true });
    assert.equal(qod.check("a"), null);
    qod.watch("a").finish({ elapsedMs: 5000, timedOut: true });
    assert.ok(qod.check("a"));
  });

  it("records requests in flight in a crash journal and strikes them after a restart", () => {
    const path = join(dir, "journal");
    const clock = new ManualClock(10_000);
    const first = new Quarantine({ clock, log: () => {}, journalPath: path });
    first.watch("POST /import|file=huge").finish({ elapsedMs: 1 }); // ended: no strike
    first.watch("POST /import|file=poison"); // never finished: the process "dies" here
    first.close();
    const lines: string[] = [];
    const second = new Quarantine({ clock, log: (l) => lines.push(l), journalPath: path });
    assert.equal(second.check("POST /import|file=poison"), null, "one crash is not enough");
    assert.match(lines.join("\n"), /"POST \/import\|file=poison" was running when the process died/);
    second.watch("POST /import|file=poison"); // dies again
    second.close();
    const third = new Quarantine({ clock, log: () => {}, journalPath: path });
    assert.ok(third.check("POST /import|file=poison"), "refused on its third try");
    assert.equal(third.check("POST /import|file=huge"), null);
    third.close();
  });

  it("ignores a torn last line left by a crash mid-write", () => {
    const path = join(dir, "torn");
    const clock = new ManualClock(0);
    new Quarantine({ clock, log: () => {}, journalPath: path }).close();
    appendFileSync(path, "S 0 crash a\nB 7 half-writ");
    const qod = new Quarantine({ clock, log: () => {}, journalPath: path });
    qod.close();
    assert.ok(readFileSync(path, "utf8").includes("S 0 crash a"));
  });

  it("bounds the fingerprints it remembers", () => {
    const qod = new Quarantine({
      clock: new ManualClock(0),
      log: () => {},
      maxFingerprints: 2,
      strikes: { cpu: 1 },
      limits: { cpuMs: 1 },
    });
    qod.watch("a").finish({ elapsedMs: 5, cpuMs: 5 });
    qod.watch("b").finish({ elapsedMs: 5, cpuMs: 5 });
    qod.watch("c").finish({ elapsedMs: 5, cpuMs: 5 });
    assert.deepEqual(
      qod.quarantined().map((q) => q.fingerprint),
      ["b", "c"],
    );
  });

  it("validates its options", () => {
    assert.throws(() => new Quarantine({ strikes: { crash: 0 } }), /strikes.crash must be an integer >= 1/);
    assert.throws(() => new Quarantine({ windowMs: 0 }), /windowMs must be > 0/);
    assert.throws(() => new Quarantine({ strikes: { errors: 2 } } as never), {
      message: "Quarantine strikes: unknown option errors",
      hint: "did you mean error?",
    });
    assert.throws(() => new Quarantine({ untilMs: 5 } as never), /unknown option untilMs/);
    assert.throws(() => new Quarantine({ log: "stderr" } as never), /option log must be a function/);
  });
});
