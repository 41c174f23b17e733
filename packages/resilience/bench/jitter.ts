// The classic jitter experiment (AWS Architecture Blog, "Exponential Backoff
// and Jitter"), in virtual time with the very retry policy nines ships: N
// clients each make one write to a shared item under optimistic concurrency.
// An attempt reads the item's version, works for `workMs`, then commits only
// if the version has not changed meanwhile; otherwise it fails with a
// conflict and the client retries with truncated exponential backoff.
// Counted: calls in all (the load on the resource) and the virtual time until
// the last client succeeded.
//
//   npm run bench:jitter
//   npm run bench:jitter -- --json --clients 10,50,100 --seeds 5
import { parseArgs } from "node:util";
import { ManualClock, SeededRandom } from "@nines/core";
import { type Jitter, retry } from "@nines/resilience";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    clients: { type: "string", default: "5,10,25,50,100" },
    seeds: { type: "string", default: "5" },
    "work-ms": { type: "string", default: "10" },
    "base-ms": { type: "string", default: "10" },
    "cap-ms": { type: "string", default: "10000" },
  },
});
const clientCounts = values.clients.split(",").map(Number);
const seeds = Number(values.seeds);
const workMs = Number(values["work-ms"]);
const baseMs = Number(values["base-ms"]);
const capMs = Number(values["cap-ms"]);
const jitters: Jitter[] = ["none", "full", "equal", "decorrelated"];

class Conflict extends Error {}

/** One run: `clients` writers racing on one item. Returns calls and the time the last one finished. */
async function contend(clients: number, jitter: Jitter, seed: number): Promise<{ calls: number; timeMs: number }> {
  const clock = new ManualClock();
  const random = new SeededRandom(seed);
  const policy = retry({
    clock,
    random,
    idempotent: true,
    maxAttempts: Number.POSITIVE_INFINITY,
    isFailure: (error) => error instanceof Conflict,
    backoff: { initialDelayMs: baseMs, multiplier: 2, maxDelayMs: capMs, jitter },
  });
  let version = 0;
  let calls = 0;
  let last = 0;
  const write = async () => {
    calls++;
    const read = version;
    await clock.sleep(workMs);
    if (version !== read) throw new Conflict("the item changed since it was read");
    version++;
  };
  const done = Promise.all(
    Array.from({ length: clients }, () =>
      policy.execute(write).then(() => {
        last = clock.now();
      }),
    ),
  );
  await clock.runAll(10_000_000);
  await done;
  return { calls, timeMs: last };
}

interface Row {
  clients: number;
  jitter: Jitter;
  calls: number;
  timeMs: number;
}

const rows: Row[] = [];
for (const clients of clientCounts) {
  for (const jitter of jitters) {
    let calls = 0;
    let timeMs = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const run = await contend(clients, jitter, seed);
      calls += run.calls;
      timeMs += run.timeMs;
    }
    const row = { clients, jitter, calls: calls / seeds, timeMs: timeMs / seeds };
    rows.push(row);
    if (values.json) console.log(JSON.stringify(row));
  }
}

if (!values.json) {
  console.log(
    `jitter experiment: work ${workMs} ms per attempt, backoff ${baseMs} ms doubling to ${capMs} ms, mean of ${seeds} seeds`,
  );
  console.log("clients  jitter          calls   time to finish (ms)");
  for (const r of rows) {
    console.log(
      `${String(r.clients).padStart(7)}  ${r.jitter.padEnd(13)} ${r.calls.toFixed(0).padStart(7)}   ${r.timeMs.toFixed(0).padStart(10)}`,
    );
  }
}
