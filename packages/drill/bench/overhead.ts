// What the local network of `nines up` costs a request: the same open-loop
// load sent straight to an instance, then through the fault proxy, then
// through the load balancer and the proxies. Prints p50/p99 and the success
// ratio of each. Run on a quiet machine:
//   node --conditions=source --import tsx packages/drill/bench/overhead.ts [rate] [seconds]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LoadBalancer } from "../src/balancer/load-balancer.js";
import { ZoneNetwork } from "../src/fault/zone-network.js";
import { sequence } from "../src/load/journey.js";
import { LoadGenerator } from "../src/load/load-generator.js";
import { summarize } from "../src/load/summarize.js";
import { RunDirectory } from "../src/process/run-directory.js";
import { Supervisor } from "../src/process/supervisor.js";

const rate = Number(process.argv[2] ?? 300);
const seconds = Number(process.argv[3] ?? 10);
const dir = mkdtempSync(join(tmpdir(), "nines-bench-"));
const run = await RunDirectory.open(dir);
const supervisor = new Supervisor({
  run,
  services: [
    {
      service: "echo",
      command: process.execPath,
      args: [new URL("../test/fixtures/service.mjs", import.meta.url).pathname],
      placement: [
        { zone: "a", region: "r", instances: 2 },
        { zone: "b", region: "r", instances: 1 },
      ],
    },
  ],
});
const network = new ZoneNetwork();
let lb: LoadBalancer | undefined;
try {
  await supervisor.start();
  const instances = supervisor.instances();
  const backends = [];
  for (const i of instances) backends.push({ id: i.id, zone: i.zone, url: await network.add(i) });
  lb = new LoadBalancer({ service: "echo", backends });
  const viaLb = await lb.listen({ zone: "a" });
  const targets = [
    ["direct to an instance", instances[0]!.url],
    ["through its fault proxy", backends[0]!.url],
    ["through the balancer and proxies", viaLb.url],
  ] as const;
  console.log(`open-loop load: ${rate} requests/s for ${seconds} s, POST /echo`);
  for (const [name, baseUrl] of targets) {
    const result = await new LoadGenerator({
      baseUrl,
      journeys: [sequence("echo", [{ step: "echo", path: "/echo", method: "POST", body: { trip: 1 } }])],
      rate,
      durationMs: seconds * 1000,
    }).run();
    const s = summarize(result.log);
    console.log(
      `${name.padEnd(34)} p50 ${s.p50Ms?.toFixed(2)} ms  p99 ${s.p99Ms?.toFixed(2)} ms  success ${((s.successRatio ?? 0) * 100).toFixed(2)}%  (${s.offered} requests)`,
    );
  }
} finally {
  await lb?.close();
  await network.close();
  await supervisor.stop();
  await run.close();
  rmSync(dir, { recursive: true, force: true });
}
