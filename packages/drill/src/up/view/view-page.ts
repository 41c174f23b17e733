/**
 * The live view's HTML page: it polls `snapshot.json` every second and
 * draws the same as the terminal view (instances by zone with health,
 * breakers, rate, errors and p99 per service, stores, recent events).
 * Self-contained: no external script or style, text set with
 * `textContent` only.
 *
 * @example
 * res.end(livePage("ClickTravel"));
 */
export function livePage(name: string): string {
  const title = name.replace(/[<>&"]/g, "");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}: nines up</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { padding: 0.25em 0.8em; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.i { display: inline-block; width: 1.3em; text-align: center; margin: 1px; border-radius: 3px; font: 12px monospace; color: #fff; }
.R { background: #2a7d2a; } .u { background: #c08a00; } .e { background: #a33; } .s { background: #57a; } .x { background: #777; }
.zone { margin-right: 1em; white-space: nowrap; }
#status { color: #777; }
</style></head>
<body>
<h1>${title}</h1>
<p id="status">connecting...</p>
<table><thead><tr><th>service</th><th>req/s</th><th>errors</th><th>p99 ms</th><th>instances by zone</th><th>breakers</th><th>autoscale</th></tr></thead>
<tbody id="services"></tbody></table>
<p>R ready, u failing its balancer's checks, e ejected, s starting, x down</p>
<h2>Stores</h2><ul id="stores"></ul>
<h2>Events</h2><ul id="events"></ul>
<script>
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
const pct = (x) => x === null ? "-" : (x * 100).toFixed(1) + "%";
const letter = (i) => i.state === "down" ? "x" : i.state === "starting" ? "s" : i.ejected ? "e" : i.healthy === false ? "u" : "R";
function draw(s) {
  const out = s.zones.filter((z) => z.lost || z.partitioned).map((z) => z.zone + (z.lost ? " lost" : " partitioned"));
  document.getElementById("status").textContent = new Date(s.at).toISOString().slice(11, 19) + "  scale 1/" + s.scale +
    ", time 1/" + s.timeScale + (s.frontDoor ? "  front door " + s.frontDoor.url : "") + (out.length ? "  zones out: " + out.join(", ") : "");
  const body = document.getElementById("services"); body.replaceChildren();
  for (const svc of s.services) {
    const tr = el("tr");
    tr.append(el("td", svc.name), el("td", svc.rate.toFixed(1), "n"), el("td", pct(svc.errorRatio), "n"), el("td", svc.p99Ms === null ? "-" : String(Math.round(svc.p99Ms)), "n"));
    const zones = el("td");
    for (const zone of [...new Set(svc.instances.map((i) => i.zone))]) {
      const z = el("span", zone + " ", "zone");
      for (const i of svc.instances.filter((i) => i.zone === zone)) { const b = el("span", letter(i), "i " + letter(i)); b.title = i.id + " pid " + i.pid + " generation " + i.generation; z.append(b); }
      zones.append(z);
    }
    const breakers = svc.breakers.map((b) => Object.entries(b.states).map(([st, n]) => b.target + " " + st + (n > 1 ? " x" + n : "")).join(", ")).join("; ");
    const a = svc.autoscale;
    tr.append(zones, el("td", breakers || "-"), el("td", a ? a.metric + " " + (a.value === null ? "-" : a.value.toFixed(2)) + " / " + a.target.toFixed(2) + ": " + a.current + " -> " + a.desired : "-"));
    body.append(tr);
  }
  const stores = document.getElementById("stores"); stores.replaceChildren();
  for (const st of s.stores) stores.append(el("li", st.name + " (" + st.engine + "): " + (st.kind === "postgres" ? st.members.map((m) => m.role + " " + m.zone + " " + (m.up ? "up" : "down")).join(", ") : "SQLite " + st.paths.join(", "))));
  const events = document.getElementById("events"); events.replaceChildren();
  for (const e of s.events.slice().reverse()) events.append(el("li", new Date(e.at).toISOString().slice(11, 19) + " " + e.text));
}
async function tick() {
  try { const r = await fetch("snapshot.json", { cache: "no-store" }); draw(await r.json()); }
  catch { document.getElementById("status").textContent = "the system has stopped"; return; }
  setTimeout(tick, 1000);
}
tick();
</script></body></html>
`;
}
