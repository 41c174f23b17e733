import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { InstanceView, SystemSnapshot } from "../system-snapshot.js";
import { renderSystemLine, renderSystemView } from "./render-view.js";

function instance(id: string, zone: string, more: Partial<InstanceView> = {}): InstanceView {
  return {
    id,
    zone,
    state: "ready",
    healthy: true,
    ejected: false,
    pid: 1,
    generation: 0,
    requestsPerSecond: 1,
    ...more,
  };
}

const snapshot: SystemSnapshot = {
  name: "ClickTravel",
  at: Date.UTC(2026, 0, 1, 12, 0, 5),
  scale: 20,
  timeScale: 10,
  frontDoor: { service: "web", via: "lb", url: "http://127.0.0.1:8080" },
  zones: [
    { zone: "us-central1-a", region: "us-central1", lost: true, partitioned: true },
    { zone: "us-central1-b", region: "us-central1", lost: false, partitioned: false },
  ],
  services: [
    {
      name: "web",
      rate: 21.34,
      errorRatio: 0.0123,
      p99Ms: 35.4,
      requests: 1000,
      capacity: 25,
      load: 100,
      instances: [
        instance("web-us-central1-a-0", "us-central1-a", { state: "down", healthy: false, pid: null }),
        instance("web-us-central1-a-1", "us-central1-a", { state: "starting" }),
        instance("web-us-central1-b-0", "us-central1-b", { ejected: true }),
        instance("web-us-central1-b-1", "us-central1-b", { healthy: false }),
        instance("web-europe-west2-a-0", "europe-west2-a"),
        instance("web-europe-west2-b-0", "europe-west2-b"),
      ],
      breakers: [{ target: "orders", states: { closed: 3, open: 1 } }],
      autoscale: {
        service: "web",
        metric: "requests-per-second",
        target: 17.5,
        value: 21.3,
        current: 6,
        desired: 8,
        min: 6,
        max: 16,
      },
    },
  ],
  stores: [
    {
      kind: "postgres",
      name: "orders-db",
      engine: "cloud-sql",
      members: [
        { role: "primary", zone: "us-central1-b", up: true, url: "", directUrl: "" },
        { role: "standby", zone: "us-central1-a", up: false, url: "", directUrl: "" },
      ],
    },
  ],
  events: [{ at: Date.UTC(2026, 0, 1, 12, 0, 1), text: "zone us-central1-a lost" }],
};

describe("renderSystemView", () => {
  it("shows each instance's state by zone, the breakers, autoscaling, stores and events", () => {
    const text = renderSystemView(snapshot, { width: 120 });
    assert.match(text, /^ClickTravel {2}12:00:05 {2}scale 1\/20, time 1\/10$/m);
    assert.match(text, /zones out: us-central1-a \(lost\)/);
    assert.match(text, /^web +21\.3 +1\.2% +35 +us-central1-a \[xs\] {2}us-central1-b \[eu\] {2}europe-west2-a \[R\]/m);
    assert.match(text, /breakers: orders closed x3, orders open/);
    assert.match(text, /autoscale requests-per-second 21\.3 \/ 17\.5: 6 -> 8 \(6\.\.16\)/);
    assert.match(
      text,
      /store orders-db \(cloud-sql, PostgreSQL\): primary us-central1-b up, standby us-central1-a down/,
    );
    assert.match(text, /12:00:01 zone us-central1-a lost/);
  });

  it("wraps zones onto their own lines in a narrow terminal rather than cutting them off", () => {
    const text = renderSystemView(snapshot, { width: 80 });
    const lines = text.split("\n");
    const web = lines.findIndex((l) => l.startsWith("web"));
    assert.ok((lines[web] as string).length <= 80);
    assert.match(lines[web + 1] as string, /^ {38}\S/, "the next zones start under the first");
    assert.ok(text.includes("europe-west2-b [R]"));
    assert.ok(lines.every((l) => l.length <= 80));
  });

  it("one line per interval for a log", () => {
    assert.equal(renderSystemLine(snapshot), "12:00:05 web 2/6 21.3/s 1.2% p99 35\n");
  });
});
