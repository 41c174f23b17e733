import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, OPTION_INVALID } from "@nines/core";
import type { DrainReport } from "./drainer.js";
import { type Drainable, installShutdownSignals } from "./shutdown-signals.js";

const REPORT: DrainReport = {
  reason: "SIGUSR2",
  ok: false,
  startedAt: 1000,
  stoppedAcceptingAt: 1100,
  requestsDoneAt: 1200,
  finishedAt: 1250,
  inflightAtStop: 0,
  abandoned: 0,
  hooks: [{ name: "db", status: "timed_out", durationMs: 50 }],
};

/** Sends a real signal to this process and waits until the drain's report arrives. */
async function signalAndWait(
  options: Parameters<typeof installShutdownSignals>[1],
  report: DrainReport = REPORT,
): Promise<DrainReport> {
  let done: (report: DrainReport) => void = () => {};
  const drained = new Promise<DrainReport>((resolve) => {
    done = resolve;
  });
  const guard: Drainable = { drain: async () => report };
  const remove = installShutdownSignals(guard, {
    ...options,
    signals: ["SIGUSR2"],
    onDrained: (report) => done(report),
  });
  const exitCode = process.exitCode;
  // The signal arrives asynchronously: keep the event loop alive until it has, and fail if it never does.
  const limit = setTimeout(() => done({ ...report, reason: "no signal within 5 s" }), 5000);
  try {
    process.kill(process.pid, "SIGUSR2");
    const answer = await drained;
    assert.equal(answer.reason, report.reason);
    return answer;
  } finally {
    clearTimeout(limit);
    remove();
    process.exitCode = exitCode; // the helper sets it; this test process must not fail for it
  }
}

describe("installShutdownSignals", () => {
  it("writes nothing by default and gives each line to the app's log when asked", async () => {
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      await signalAndWait({});
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(
      written.filter((w) => w.includes("nines guard")),
      [],
      "the library never writes to stderr on its own",
    );

    const lines: string[] = [];
    await signalAndWait({ log: (line) => lines.push(line) });
    assert.deepEqual(lines, [
      "nines guard: SIGUSR2 received, draining",
      'nines guard: cleanup hook "db" timed_out',
      "nines guard: drained in 250 ms, 0 requests cut off, cleanup FAILED",
    ]);
    lines.length = 0;
    await signalAndWait({ log: (line) => lines.push(line) }, { ...REPORT, ok: true, abandoned: 1, hooks: [] });
    assert.equal(lines.at(-1), "nines guard: drained in 250 ms, 1 request cut off, cleanup ok");
  });

  it("refuses a log that is not a function and a misspelt option, naming the fix", () => {
    const guard: Drainable = { drain: async () => REPORT };
    assert.throws(
      () => installShutdownSignals(guard, { log: "stderr" as never }),
      (e) => isNinesError(e, OPTION_INVALID) && /option log must be a function/.test(e.message),
    );
    assert.throws(
      () => installShutdownSignals(guard, { logs: () => {} } as never),
      (e) => isNinesError(e, OPTION_INVALID) && e.hint === "did you mean log?",
    );
  });
});
