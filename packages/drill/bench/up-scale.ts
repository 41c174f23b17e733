// What `nines up` costs this machine at each scale: ClickTravel brought up
// at scale K, its drill workload (examples/clicktravel/workload.mjs: the
// spec's inventory and orders loads divided by K) driven through the front
// door for a while, and the CPU and memory of every process of the run measured
// (the nines up process with its balancers, proxies and this load
// generator; the instances; PostgreSQL). The default scale is the smallest
// K whose total stays under one of the two cores. Run on a quiet machine:
//   node --conditions=source --import tsx packages/drill/bench/up-scale.ts [--scales 10,20,40] [--seconds 30] [--spec-dir DIR]
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Journey } from "../src/load/journey.js";
import { LoadGenerator } from "../src/load/load-generator.js";
import { summarize } from "../src/load/summarize.js";
import type { RunningSystem } from "../src/up/running-system.js";
import { up } from "../src/up/up.js";

const { values } = parseArgs({
  options: { scales: { type: "string" }, seconds: { type: "string" }, "spec-dir": { type: "string" } },
});
const scales = (values.scales ?? "10,20,40").split(",").map(Number);
const seconds = Number(values.seconds ?? 30);
const spec = new URL("../../../examples/clicktravel/nines.yaml", import.meta.url).pathname;

/** CPU ticks (1/100 s) and resident memory of every live process of the run. */
function usage(runDir: string): Map<number, { ticks: number; rssBytes: number; name: string }> {
  const out = new Map<number, { ticks: number; rssBytes: number; name: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "latin1");
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0");
      const mine =
        pid === process.pid ||
        environ.includes(`NINES_RUN_DIR=${runDir}\0`) ||
        cmdline.some((a) => a.startsWith(`${runDir}/`));
      if (!mine) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const rssPages = Number(readFileSync(`/proc/${pid}/statm`, "latin1").split(" ")[1]);
      const name =
        pid === process.pid ? "nines up" : cmdline.some((a) => a.includes("postgres")) ? "postgres" : "instances";
      out.set(pid, { ticks: Number(fields[11]) + Number(fields[12]), rssBytes: rssPages * 4096, name });
    } catch {}
  }
  return out;
}

/** ClickTravel's drill workload (examples/clicktravel/workload.mjs): the journeys `nines drill` sends. */
interface Workload {
  rate(plan: RunningSystem["plan"]): number;
  journeys(context: object): Journey[];
}
const workload = (
  (await import(new URL("../../../examples/clicktravel/workload.mjs", import.meta.url).href)) as { default: Workload }
).default;

const rows: string[] = [];
for (const scale of scales) {
  const runDir = join(tmpdir(), `nines-up-scale-${scale}`);
  const startedAt = Date.now();
  const system = await up(spec, { scale, runDir, ...(values["spec-dir"] && { specDir: values["spec-dir"] }) });
  const startMs = Date.now() - startedAt;
  const rate = workload.rate(system.plan);
  const context = {
    plan: system.plan,
    frontDoor: system.frontDoor,
    instanceUrl: (service: string) => system.instances(service).find((i) => i.state === "ready")?.url ?? "",
    acknowledge: () => {},
    ambiguous: () => {},
    mark: () => {},
  };
  const before = usage(system.runDir);
  const cpuBefore = process.cpuUsage();
  const generator = new LoadGenerator({
    baseUrl: system.frontDoor,
    journeys: workload.journeys(context),
    rate,
    durationMs: seconds * 1000,
    timeoutMs: 5000,
  });
  const result = await generator.run();
  const after = usage(system.runDir);
  const cpu: Record<string, number> = {};
  let rss = 0;
  for (const [pid, now] of after) {
    const then = before.get(pid)?.ticks ?? 0;
    cpu[now.name] = (cpu[now.name] ?? 0) + (now.ticks - then) / 100 / seconds;
    rss += now.rssBytes;
  }
  const own = process.cpuUsage(cpuBefore);
  cpu["nines up"] = (own.user + own.system) / 1e6 / seconds;
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  const summary = summarize(result.log, {});
  rows.push(
    `scale ${String(scale).padStart(3)}: ${rate.toFixed(1)} journeys/s offered, ` +
      `success ${((summary.successRatio ?? 0) * 100).toFixed(2)}%, p99 ${summary.p99Ms ?? "-"} ms; ` +
      `CPU ${total.toFixed(2)} cores (nines up ${cpu["nines up"]?.toFixed(2)}, instances ${(cpu["instances"] ?? 0).toFixed(2)}, ` +
      `postgres ${(cpu["postgres"] ?? 0).toFixed(2)}); memory ${(rss / 2 ** 20).toFixed(0)} MiB; up in ${(startMs / 1000).toFixed(1)} s; ` +
      `statuses ${JSON.stringify(summary.statuses)}, no answer ${JSON.stringify(summary.errors)}`,
  );
  process.stderr.write(`${rows.at(-1)}\n`);
  await system.stop();
  rmSync(runDir, { recursive: true, force: true });
}
process.stdout.write(`${rows.join("\n")}\n`);
