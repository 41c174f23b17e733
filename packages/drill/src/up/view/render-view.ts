import type { InstanceView, ServiceView, SystemSnapshot } from "../system-snapshot.js";

/**
 * One letter per instance in the live view: `R` ready and healthy, `u`
 * ready but failing its balancer's checks, `e` ejected as an outlier, `s`
 * starting, `x` down (a replacement may be waiting).
 */
export function instanceLetter(i: InstanceView): string {
  if (i.state === "down") return "x";
  if (i.state === "starting") return "s";
  if (i.ejected) return "e";
  return i.healthy === false ? "u" : "R";
}

/**
 * The live view for a terminal: one block per service (rate, errors, p99,
 * its instances by zone, its breakers, autoscaling), the stores and the
 * last events. Plain text; the caller redraws it in place on a TTY.
 *
 * @example
 * process.stdout.write(renderSystemView(system.snapshot()));
 */
export function renderSystemView(snapshot: SystemSnapshot, options: { width?: number } = {}): string {
  // Narrower than this, nothing useful fits: lines are cut at 40 at least.
  const width = Math.max(40, options.width ?? 100);
  const lines: string[] = [];
  const clock = new Date(snapshot.at).toISOString().slice(11, 19);
  lines.push(`${snapshot.name}  ${clock}  scale 1/${snapshot.scale}, time 1/${snapshot.timeScale}`);
  const downZones = snapshot.zones.filter((z) => z.lost || z.partitioned);
  if (downZones.length > 0) {
    lines.push(`zones out: ${downZones.map((z) => `${z.zone} (${z.lost ? "lost" : "partitioned"})`).join(", ")}`);
  }
  lines.push(`${pad("service", 12)}${lpad("req/s", 8)}${lpad("errors", 8)}${lpad("p99 ms", 8)}  instances by zone`);
  for (const service of snapshot.services) lines.push(...serviceLines(service, width));
  lines.push("R ready  u unhealthy  e ejected  s starting  x down");
  for (const store of snapshot.stores) {
    if (store.kind === "postgres") {
      const members = store.members.map((m) => `${m.role} ${m.zone} ${m.up ? "up" : "down"}`).join(", ");
      lines.push(`store ${store.name} (${store.engine}, PostgreSQL): ${members}`);
    } else {
      lines.push(`store ${store.name} (${store.engine}, SQLite${store.perZone ? ", a file per zone" : ""})`);
    }
  }
  for (const event of snapshot.events.slice(-5)) {
    lines.push(`${new Date(event.at).toISOString().slice(11, 19)} ${event.text}`);
  }
  return `${lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)).join("\n")}\n`;
}

/**
 * The live view as one line (for a log, when stdout is not a terminal).
 *
 * @example
 * renderSystemLine(snapshot); // "12:00:01 web 8/8 20.1/s 0.0% p99 35ms | orders 4/4 6.0/s ..."
 */
export function renderSystemLine(snapshot: SystemSnapshot): string {
  const clock = new Date(snapshot.at).toISOString().slice(11, 19);
  const parts = snapshot.services.map((s) => {
    const ready = s.instances.filter((i) => instanceLetter(i) === "R").length;
    return `${s.name} ${ready}/${s.instances.length} ${s.rate.toFixed(1)}/s ${percent(s.errorRatio)} p99 ${ms(s.p99Ms)}`;
  });
  return `${clock} ${parts.join(" | ")}\n`;
}

function serviceLines(s: ServiceView, width: number): string[] {
  const zones = [...new Set(s.instances.map((i) => i.zone))];
  const byZone = zones.map((z) => {
    const letters = s.instances
      .filter((i) => i.zone === z)
      .map(instanceLetter)
      .join("");
    return `${z} [${letters}]`;
  });
  // Zones wrap onto lines of their own, under the first, rather than being cut off.
  const head = `${pad(s.name, 12)}${lpad(s.rate.toFixed(1), 8)}${lpad(percent(s.errorRatio), 8)}${lpad(ms(s.p99Ms), 8)}`;
  const rows = [head];
  for (const [k, zone] of byZone.entries()) {
    if (k > 0 && (rows.at(-1) as string).length + zone.length + 2 > width) rows.push(" ".repeat(head.length));
    rows[rows.length - 1] += `  ${zone}`;
  }
  const extra: string[] = [];
  if (s.breakers.length > 0) {
    const text = s.breakers.map((b) =>
      Object.entries(b.states)
        .map(([state, n]) => `${b.target} ${state}${n > 1 ? ` x${n}` : ""}`)
        .join(", "),
    );
    extra.push(`${" ".repeat(14)}breakers: ${text.join("; ")}`);
  }
  const a = s.autoscale;
  if (a) {
    const value = a.value === null ? "-" : a.metric === "requests-per-second" ? a.value.toFixed(1) : percent(a.value);
    const target = a.metric === "requests-per-second" ? a.target.toFixed(1) : percent(a.target);
    extra.push(
      `${" ".repeat(14)}autoscale ${a.metric} ${value} / ${target}: ${a.current} -> ${a.desired} (${a.min}..${a.max})`,
    );
  }
  return [...rows, ...extra];
}

function percent(x: number | null): string {
  return x === null ? "-" : `${(x * 100).toFixed(1)}%`;
}

function ms(x: number | null): string {
  return x === null ? "-" : String(Math.round(x));
}

function pad(text: string, n: number): string {
  return text.length >= n ? `${text} ` : text.padEnd(n);
}

function lpad(text: string, n: number): string {
  return text.padStart(n);
}
