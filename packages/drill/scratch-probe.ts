import { loadSpec } from "@nines/planner";
import { up } from "./src/index.js";
const spec = loadSpec("examples/clicktravel/nines.yaml");
const system = await up(spec, { runDir: "/tmp/drillscratch/run2" });
try {
  const door = system.frontDoor;
  for (const [m, p, b] of [["GET","/api/trips?to=Rome"],["GET","/api/bookings?user=u1"],["POST","/api/bookings",{requestId:"r-"+Date.now(),user:"u1",tripId:"rome-1",seats:1}],["GET","/"]] as const) {
    const t = Date.now();
    const r = await fetch(door + p, { method: m, headers: {"content-type":"application/json"}, body: b ? JSON.stringify(b) : undefined });
    console.log(m, p, r.status, Date.now() - t, "ms", (await r.text()).slice(0, 200));
  }
} finally { await system.stop(); }
