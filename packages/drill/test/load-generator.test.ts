import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { type Journey, sequence } from "../src/load/journey.js";
import { LoadGenerator } from "../src/load/load-generator.js";
import { perSecond } from "../src/load/per-second.js";
import { summarize } from "../src/load/summarize.js";
import { freePort } from "../src/process/free-port.js";

type After = { after: (fn: () => Promise<void> | void) => void };

async function server(t: After): Promise<string> {
  const s: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/hang") return; // never answers
    if (url.pathname === "/book") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        res.writeHead(201, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: JSON.parse(body).id }));
      });
      return;
    }
    setTimeout(() => res.end("ok"), Number(url.searchParams.get("ms") ?? 0));
  });
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe("LoadGenerator", () => {
  it("keeps arriving at the rate while nothing answers (open loop) and records client timeouts", async (t) => {
    const baseUrl = await server(t);
    const generator = new LoadGenerator({
      baseUrl,
      journeys: [sequence("stuck", [{ step: "hang", path: "/hang" }])],
      rate: 40,
      arrivals: "fixed",
      durationMs: 1000,
      timeoutMs: 300,
      random: new SeededRandom(1),
    });
    const result = await generator.run();
    assert.ok(result.journeys >= 38 && result.journeys <= 40, `${result.journeys} journeys`);
    const summary = summarize(result.log);
    assert.equal(summary.offered, result.journeys);
    assert.equal(summary.errors.timeout, result.journeys);
    for (const r of result.log) assert.ok(r.endAt - r.startAt >= 295 && r.endAt - r.startAt < 2000);
  });

  it("runs weighted journeys, each a sequence of recorded steps that can use earlier answers", async (t) => {
    const baseUrl = await server(t);
    const booked: string[] = [];
    const book: Journey = {
      name: "book",
      weight: 1,
      async run(context) {
        await context.request("search", { path: "/search?ms=5" });
        const answer = await context.request("book", {
          path: "/book",
          method: "POST",
          body: { id: `b${context.index}` },
        });
        if (answer?.status === 201) booked.push(answer.json<{ id: string }>().id);
      },
    };
    const generator = new LoadGenerator({
      baseUrl,
      journeys: [sequence("browse", [{ step: "home", path: "/" }], 3), book],
      rate: 200,
      durationMs: 1000,
      random: new SeededRandom(2),
    });
    const result = await generator.run();
    const records = [...result.log];
    const browse = records.filter((r) => r.journey === "browse").length;
    const books = records.filter((r) => r.step === "book").length;
    assert.ok(browse / books > 2.2 && browse / books < 4, `${browse} browse for ${books} bookings`);
    assert.equal(records.filter((r) => r.step === "search").length, books);
    assert.equal(booked.length, books);
    assert.ok(records.every((r) => r.status === 200 || r.status === 201));
    const series = perSecond(result.log, { fromAt: result.startedAt, toAt: result.startedAt + 1000 });
    assert.equal(series.length, 1);
    assert.equal(series[0]?.successRatio, 1);
  });

  it("records refused connections as connect errors", async () => {
    const port = await freePort();
    const result = await new LoadGenerator({
      baseUrl: `http://127.0.0.1:${port}`,
      journeys: [sequence("home", [{ step: "home", path: "/" }])],
      rate: 20,
      arrivals: "fixed",
      durationMs: 300,
    }).run();
    assert.ok(result.journeys >= 5);
    assert.ok([...result.log].every((r) => r.error === "connect" && r.status === 0));
  });
});
